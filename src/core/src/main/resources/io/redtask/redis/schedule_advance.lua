-- schedule_advance: move a schedule from the slot the caller read to its next one, unless
-- another server did first. Only the caller that moves the slot creates its task (after this
-- script, under a dedupe key of the slot), so however many servers read a slot, and whatever
-- queue a concurrent save moves the schedule to, the slot creates one task. With a queue given,
-- the firing is recorded as pending until the task is stored, so that a server dying in between
-- leaves it for another to finish (see CronTicker).
-- KEYS[1] next-slot zset  KEYS[2] pending firings hash ("name|slot" -> "queue|since")
-- ARGV[1] name  ARGV[2] the slot the caller read (ms)  ARGV[3] the next slot (ms)
-- ARGV[4] the queue of the slot's task, or '' when the slot is skipped  ARGV[5] now (ms)
-- Result: 1 when this call moved the schedule on, 0 when it had moved already (or is gone).
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1] .. '|' .. ARGV[2], ARGV[4] .. '|' .. ARGV[5])
end
return 1
