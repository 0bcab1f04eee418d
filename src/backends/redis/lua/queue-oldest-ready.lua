--[[
  queue-oldest-ready.lua: the envelopes of the oldest ready job of each priority level of
  one BullMQ queue, for JobQueue.stats() (backends/redis/job-queue.ts). Reads only.

  KEYS[1]  the queue's prioritized sorted set (score = priority * 2^32 + counter)
  KEYS[2]  the queue's wait list (jobs without a priority; the oldest is at the tail)
  ARGV[1]  job hash key prefix (`{prefix}:{queue}:`; the job id is appended)
  ARGV[2]  most priority levels to look at

  Returns a list of job `data` strings (JSON envelopes): the head of each priority level
  present, then the wait list's oldest. The caller takes the earliest ready time among
  them: within a level BullMQ serves in counter order, so each level's head is the
  oldest of that level. One script so that the heads and their data are read together.
  Errors: none of its own.
]]
local band = 4294967296
local out = {}
local from = '-inf'
for _ = 1, tonumber(ARGV[2]) do
  local head = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #head == 0 then
    break
  end
  local data = redis.call('HGET', ARGV[1] .. head[1], 'data')
  if data then
    out[#out + 1] = data
  end
  from = (math.floor(tonumber(head[2]) / band) + 1) * band
end
local oldest = redis.call('LINDEX', KEYS[2], -1)
if oldest then
  local data = redis.call('HGET', ARGV[1] .. oldest, 'data')
  if data then
    out[#out + 1] = data
  end
end
return out
