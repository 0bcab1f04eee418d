--[[
  observe.lua: what the provider said about a window counter (see take.lua for its fields).

  KEYS[1]  the window counter (hash)
  ARGV[1]  now, epoch ms
  ARGV[2]  mode: 'observe' (provider figures) or 'block' (a 429: closed until ARGV[5])
  ARGV[3]  limit the provider reports (ignored for 'block')
  ARGV[4]  used the provider reports (limit - remaining; ignored for 'block')
  ARGV[5]  resetsAt (observe) or until (block), epoch ms
  ARGV[6]  1 = rolling window (the reported count may fall) / 0 = fixed window
  ARGV[7]  1 = settle one pending take first
  ARGV[8]  same-window tolerance, ms (resets reported in whole seconds)

  observe: om (highest count reported in this fixed window) = max(om, used), or used in a
  new or rolling window; then ou = om + pending, so calls still in flight are never
  forgotten and calls the provider did not count (a 304) do not pile up.
  block:   xb = max(xb, until).
  Returns the counter's used count after the call. Errors: none of its own.
]]
local key = KEYS[1]
local now = tonumber(ARGV[1])
local mode = ARGV[2]
local at = tonumber(ARGV[5])

local cur = redis.call('HMGET', key, 'om', 'or', 'p', 'xb')
local om, orr = tonumber(cur[1]), tonumber(cur[2])
local pending = tonumber(cur[3]) or 0
local bu = tonumber(cur[4]) or 0

-- The fields to change, written with one HSET: each redis.call costs more than the arithmetic.
local fields = {}
if ARGV[7] == '1' and pending > 0 then
  pending = pending - 1
  fields[1] = 'p'; fields[2] = pending
end

local result
if mode == 'block' then
  if at > bu then
    fields[#fields + 1] = 'xb'; fields[#fields + 1] = at
  end
  result = 0
else
  local reported = tonumber(ARGV[4])
  local same = ARGV[6] == '0' and orr ~= nil and orr > now and om ~= nil and math.abs(orr - at) <= tonumber(ARGV[8])
  if same and om > reported then reported = om end
  result = reported + pending
  local n = #fields
  fields[n + 1] = 'ol'; fields[n + 2] = tonumber(ARGV[3]); fields[n + 3] = 'om'; fields[n + 4] = reported
  fields[n + 5] = 'ou'; fields[n + 6] = result; fields[n + 7] = 'or'; fields[n + 8] = at
end
if #fields > 0 then redis.call('HSET', key, unpack(fields)) end

local ttl = redis.call('PTTL', key)
local need = at - now
if need > 0 and (ttl < 0 or ttl < need) then redis.call('PEXPIRE', key, need) end
return result
