--[[
  settle.lua: one observed take was answered without figures: pending - 1, never below 0.

  KEYS[1]  the window counter (hash; see take.lua)
  Returns the new pending count. Errors: none of its own.
]]
local p = tonumber(redis.call('HGET', KEYS[1], 'p') or '0')
if p > 0 then
  p = p - 1
  redis.call('HSET', KEYS[1], 'p', p)
end
return p
