--[[
  take.lua: atomic multi-counter take for the rate limiter (ports/rate-limit-backend.ts).

  KEYS[i]   one counter per take: a hash (window) or a sorted set (concurrency).
  ARGV[1]   now, epoch ms (the caller's clock)
  ARGV[2]   lease id (member of concurrency sets)
  ARGV[3]   buckets per window (RATE_WINDOW_BUCKETS)
  ARGV[4]   1 = dry run (peek: check only, take nothing)
  then per key, 6 values: kind ('w' | 'c'), limit, scale, windowMs (leaseMs for 'c'),
            cost, observed (1 = count as pending until observed)

  Window hash fields: b<bucket index> = uses; ol, ou, om, or = overlay limit, used, highest
  count the provider reported, reset (epoch ms); p = pending (taken, not yet observed);
  xb = blocked until (epoch ms, a 429). Only bucket fields start with 'b'.
  Concurrency set: member = lease id, score = lease expiry (epoch ms).

  Returns { ok (1|0), blocked index (1-based, 0 when ok), retryAfterMs,
            then per key: used (after the take when ok), effective limit, resetsAt }.
  Takes from every counter or none. Same arithmetic as backends/memory/rate-limit-window.ts.
  Errors: none of its own; Redis errors (wrong key type) abort the script unchanged.
]]
local now = tonumber(ARGV[1])
local lease = ARGV[2]
local nbuckets = tonumber(ARGV[3])
local dry = ARGV[4] == '1'
local n = #KEYS

local states = {}
local blocked = 0
local retry = 0

for i = 1, n do
  local base = 4 + (i - 1) * 6
  local kind = ARGV[base + 1]
  local limit = tonumber(ARGV[base + 2])
  local scale = tonumber(ARGV[base + 3])
  local window = tonumber(ARGV[base + 4])
  local cost = tonumber(ARGV[base + 5])
  local key = KEYS[i]
  local st = { kind = kind, cost = cost, window = window }

  if kind == 'c' then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    local used = redis.call('ZCARD', key)
    local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local resets = now
    if first[2] then resets = tonumber(first[2]) end
    st.used = used; st.limit = limit; st.resets = resets
    if used + 1 > limit and blocked == 0 then
      blocked = i
      retry = math.max(1, math.min(100, resets - now))
    end
  else
    local bucketMs = math.max(1, math.ceil(window / nbuckets))
    local oldest = math.floor((now - window) / bucketMs)
    local flat = redis.call('HGETALL', key)
    local used = 0
    local live = {}
    local ol, ou, orr
    local bu = 0
    for j = 1, #flat, 2 do
      local f = flat[j]
      if string.sub(f, 1, 1) == 'b' then
        local idx = tonumber(string.sub(f, 2))
        local c = tonumber(flat[j + 1])
        if idx < oldest then
          if not dry then redis.call('HDEL', key, f) end
        else
          used = used + c
          live[#live + 1] = { idx, c }
        end
      elseif f == 'ol' then ol = tonumber(flat[j + 1])
      elseif f == 'ou' then ou = tonumber(flat[j + 1])
      elseif f == 'or' then orr = tonumber(flat[j + 1])
      elseif f == 'xb' then bu = tonumber(flat[j + 1])
      end
    end
    st.bucket = math.floor(now / bucketMs)
    st.ttl = window + bucketMs
    if bu > now then
      local base = limit
      if orr and orr > now then base = ol end
      local eff = math.floor(base * scale)
      st.used = eff; st.limit = eff; st.resets = bu
      if orr and orr > now then
        st.overlay = true
        if ou > eff then st.used = ou end
      end
      if bu - now > st.ttl then st.ttl = bu - now end
      if cost > 0 and blocked == 0 then
        blocked = i
        retry = bu - now
      end
    elseif orr and orr > now then
      local eff = math.floor(ol * scale)
      st.overlay = true; st.used = ou; st.limit = eff; st.resets = orr
      if orr - now > st.ttl then st.ttl = orr - now end
      if ou + cost > eff and blocked == 0 then
        blocked = i
        retry = orr - now
      end
    else
      if orr and not dry then redis.call('HDEL', key, 'ol', 'ou', 'om', 'or') end
      local eff = math.floor(limit * scale)
      table.sort(live, function(a, b) return a[1] < b[1] end)
      local resets = now
      if live[1] then resets = (live[1][1] + 1) * bucketMs + window end
      st.used = used; st.limit = eff; st.resets = resets
      if used + cost > eff and blocked == 0 then
        blocked = i
        if cost > eff then
          retry = window
        else
          local need = used + cost - eff
          local freed = 0
          retry = window
          for _, b in ipairs(live) do
            freed = freed + b[2]
            if freed >= need then
              retry = math.max(1, (b[1] + 1) * bucketMs + window - now)
              break
            end
          end
        end
      end
    end
    st.observed = ARGV[base + 6] == '1'
  end
  states[i] = st
end

local ok = 1
if blocked > 0 then ok = 0 end
if ok == 1 and not dry then
  for i = 1, n do
    local st = states[i]
    local key = KEYS[i]
    if st.kind == 'c' then
      redis.call('ZADD', key, now + st.window, lease)
      redis.call('PEXPIRE', key, st.window * 2)
      st.used = st.used + 1
    elseif st.cost > 0 then
      redis.call('HINCRBY', key, 'b' .. st.bucket, st.cost)
      if st.overlay then redis.call('HINCRBY', key, 'ou', st.cost) end
      if st.observed then redis.call('HINCRBY', key, 'p', 1) end
      redis.call('PEXPIRE', key, st.ttl)
      st.used = st.used + st.cost
    end
  end
end

local out = { ok, blocked, retry }
for i = 1, n do
  local st = states[i]
  out[#out + 1] = st.used
  out[#out + 1] = st.limit
  out[#out + 1] = st.resets
end
return out
