--[[
  lock-renew.lua: extend a lease its holder still has (ports/locks.ts).

  KEYS[1]  lease hash: owner, token, expiresAt (see lock-acquire.lua)
  ARGV[1]  owner
  ARGV[2]  token
  ARGV[3]  ttl, ms

  Returns the new expiresAt (ms, Redis server clock), or nil when the lease expired, was
  released or changed hands (the caller reports LOCK_NOT_HELD).
  Errors: none of its own.
]]
local held = redis.call('HMGET', KEYS[1], 'owner', 'token')
if held[1] ~= ARGV[1] or held[2] ~= ARGV[2] then
  return nil
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('HSET', KEYS[1], 'expiresAt', now + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return now + tonumber(ARGV[3])
