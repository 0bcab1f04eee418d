--[[
  lock-acquire.lua: grant or renew a named lease (ports/locks.ts, backends/redis/locks.ts).

  KEYS[1]  lease hash: owner, token, expiresAt. Exists exactly while the lease is held
           (PEXPIRE = ttl; expiresAt is kept so every reader reports the same instant).
  KEYS[2]  fencing counter (a plain integer key that outlives the lease: never expires).
  ARGV[1]  owner
  ARGV[2]  ttl, ms (a positive integer)

  Returns { token, expiresAt } (expiresAt in ms by the Redis server's clock), or nil when
  another owner holds the lease. The owner's own live lease is renewed with its token
  kept; every other grant takes the next value of the counter, so tokens only grow.
  Errors: none of its own; a wrong key type aborts the script unchanged.
]]
local owner = ARGV[1]
local ttl = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local held = redis.call('HMGET', KEYS[1], 'owner', 'token')
local token
if held[1] then
  if held[1] ~= owner then
    return nil
  end
  token = tonumber(held[2])
else
  token = redis.call('INCR', KEYS[2])
end
redis.call('HSET', KEYS[1], 'owner', owner, 'token', token, 'expiresAt', now + ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
return { token, now + ttl }
