-- queue_stats: one consistent reading of a queue for operators (changes nothing).
-- KEYS[1] ready zset  KEYS[2] scheduled zset  KEYS[3] active zset  KEYS[4] dead zset
-- KEYS[5] queue settings hash  KEYS[6] queue counters hash  KEYS[7..12] the last six 10-second
-- buckets of the counters (the current one first)
-- ARGV[1] task key prefix  ARGV[2] fraction of the current bucket that has elapsed (0..1)
-- Result: name/value pairs: ready, scheduled, running, dead, paused (0/1), concurrency (-1 = no
-- limit), completedTotal, failedTotal, deadTotal, completedLastMinute, failedLastMinute,
-- headCreatedAt (createdAt of the next task to run, -1 = none)
local settings = redis.call('HMGET', KEYS[5], 'paused', 'concurrency')
local totals = redis.call('HMGET', KEYS[6], 'completed', 'failed', 'dead')
-- The last minute: the five full buckets before this one, the part of the oldest bucket that is
-- still inside the minute, and the current bucket so far.
local frac = tonumber(ARGV[2])
local done, failed = 0, 0
for i = 7, 12 do
  local b = redis.call('HMGET', KEYS[i], 'completed', 'failed')
  local weight = 1
  if i == 12 then weight = 1 - frac end
  done = done + weight * (tonumber(b[1]) or 0)
  failed = failed + weight * (tonumber(b[2]) or 0)
end
local head = redis.call('ZRANGE', KEYS[1], 0, 0)
local headCreated = -1
if #head == 1 then
  headCreated = tonumber(redis.call('HGET', ARGV[1] .. head[1], 'createdAt') or '-1')
end
return { 'ready', redis.call('ZCARD', KEYS[1]), 'scheduled', redis.call('ZCARD', KEYS[2]),
  'running', redis.call('ZCARD', KEYS[3]), 'dead', redis.call('ZCARD', KEYS[4]),
  'paused', settings[1] == '1' and 1 or 0, 'concurrency', tonumber(settings[2] or '-1'),
  'completedTotal', tonumber(totals[1] or '0'), 'failedTotal', tonumber(totals[2] or '0'),
  'deadTotal', tonumber(totals[3] or '0'), 'completedLastMinute', math.floor(done + 0.5),
  'failedLastMinute', math.floor(failed + 0.5), 'headCreatedAt', headCreated }
