--[[
  lock-release.lua: give a lease up, only if it is still the caller's (ports/locks.ts).

  KEYS[1]  lease hash: owner, token (see lock-acquire.lua)
  ARGV[1]  owner
  ARGV[2]  token

  Returns 1 when the lease was released, 0 when it was no longer held by this owner and
  token (nothing changes). The fencing counter is left alone, so the next grant gets a
  higher token. Errors: none of its own.
]]
local held = redis.call('HMGET', KEYS[1], 'owner', 'token')
if held[1] ~= ARGV[1] or held[2] ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
