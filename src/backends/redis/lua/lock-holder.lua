--[[
  lock-holder.lua: read the live lease on a name (ports/locks.ts). Reads only.

  KEYS[1]  lease hash: owner, token, expiresAt (see lock-acquire.lua)

  Returns { owner, token, expiresAt } (ms, Redis server clock), or nil when nobody holds
  the name (an expired lease's hash is already gone: Redis expired it).
  Errors: none of its own.
]]
local held = redis.call('HMGET', KEYS[1], 'owner', 'token', 'expiresAt')
if not held[1] then
  return nil
end
return { held[1], tonumber(held[2]), tonumber(held[3]) }
