--[[
  take.lua: atomic multi-counter take for the rate limiter (ports/rate-limit-backend.ts).

  KEYS[i]   one counter per take: a hash (window) or a sorted set (concurrency).
  ARGV[1]   now, epoch ms (the caller's clock)
  ARGV[2]   lease id (member of concurrency sets)
  ARGV[3]   buckets per window (RATE_WINDOW_BUCKETS)
  ARGV[4]   1 = dry run (peek: check only, take nothing)
  ARGV[5]   a JSON array, per key in KEYS order 6 values: kind ('w' | 'c'), limit, scale,
            windowMs (leaseMs for 'c'), cost, observed (1 = count as pending until observed).
            One argument rather than six per key: the caller builds it once per call plan,
            and cjson reads it faster than Lua converts separate arguments.

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

local spec = cjson.decode(ARGV[5])

for i = 1, n do
  local base = (i - 1) * 6
  local kind = spec[base + 1]
  local limit = spec[base + 2]
  local scale = spec[base + 3]
  local window = spec[base + 4]
  local cost = spec[base + 5]
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
    local bucket = math.floor(now / bucketMs)
    local flat = redis.call('HGETALL', key)
    local used = 0
    -- Live buckets as parallel lists (index, count), sorted only when a refusal needs them.
    local liveIdx, liveCount = {}, {}
    local first
    local ol, ou, orr
    local bu = 0
    local inBucket, pending = 0, 0
    for j = 1, #flat, 2 do
      local f = flat[j]
      if string.sub(f, 1, 1) == 'b' then
        local idx = tonumber(string.sub(f, 2))
        local c = tonumber(flat[j + 1])
        if idx < oldest then
          if not dry then redis.call('HDEL', key, f) end
        else
          used = used + c
          liveIdx[#liveIdx + 1] = idx
          liveCount[#liveCount + 1] = c
          if first == nil or idx < first then first = idx end
          if idx == bucket then inBucket = c end
        end
      elseif f == 'p' then pending = tonumber(flat[j + 1])
      elseif f == 'ol' then ol = tonumber(flat[j + 1])
      elseif f == 'ou' then ou = tonumber(flat[j + 1])
      elseif f == 'or' then orr = tonumber(flat[j + 1])
      elseif f == 'xb' then bu = tonumber(flat[j + 1])
      end
    end
    st.bucket = bucket; st.inBucket = inBucket; st.pending = pending
    st.ttl = window + bucketMs
    if bu > now then
      local base = limit
      if orr and orr > now then base = ol end
      local eff = math.floor(base * scale)
      st.used = eff; st.limit = eff; st.resets = bu
      if orr and orr > now then
        st.overlay = true; st.ou = ou
        if ou > eff then st.used = ou end
      end
      if bu - now > st.ttl then st.ttl = bu - now end
      if cost > 0 and blocked == 0 then
        blocked = i
        retry = bu - now
      end
    elseif orr and orr > now then
      local eff = math.floor(ol * scale)
      st.overlay = true; st.ou = ou; st.used = ou; st.limit = eff; st.resets = orr
      if orr - now > st.ttl then st.ttl = orr - now end
      if ou + cost > eff and blocked == 0 then
        blocked = i
        retry = orr - now
      end
    else
      if orr and not dry then redis.call('HDEL', key, 'ol', 'ou', 'om', 'or') end
      local eff = math.floor(limit * scale)
      local resets = now
      if first then resets = (first + 1) * bucketMs + window end
      st.used = used; st.limit = eff; st.resets = resets
      if used + cost > eff and blocked == 0 then
        blocked = i
        if cost > eff then
          retry = window
        else
          local need = used + cost - eff
          local freed = 0
          retry = window
          local order = {}
          for j = 1, #liveIdx do order[j] = j end
          table.sort(order, function(a, b) return liveIdx[a] < liveIdx[b] end)
          for _, j in ipairs(order) do
            freed = freed + liveCount[j]
            if freed >= need then
              retry = math.max(1, (liveIdx[j] + 1) * bucketMs + window - now)
              break
            end
          end
        end
      end
    end
    st.observed = spec[base + 6] == 1
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
      -- Every changed field in one HSET (their values were read above): each
      -- redis.call costs more than the arithmetic.
      local fields = { 'b' .. st.bucket, st.inBucket + st.cost }
      if st.overlay then fields[#fields + 1] = 'ou'; fields[#fields + 1] = st.ou + st.cost end
      if st.observed then fields[#fields + 1] = 'p'; fields[#fields + 1] = st.pending + 1 end
      redis.call('HSET', key, unpack(fields))
      -- Only a new bucket needs a longer life: the expiry set when a bucket is created
      -- outlasts it by a window, and an overlay's or a block's own expiry is set by
      -- observe.lua (which never shortens one).
      if st.inBucket == 0 then redis.call('PEXPIRE', key, st.ttl) end
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
