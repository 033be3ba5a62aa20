-- schedule_advance: move a schedule from the slot the caller fired (or skipped) to its next one,
-- unless another server did first. The slot's task was stored before this, under a dedupe key
-- made of the schedule's name and slot, so however many servers fire a slot, and whether or not
-- one dies between the two steps, the slot creates one task (see CronTicker).
-- KEYS[1] next-slot zset
-- ARGV[1] name  ARGV[2] the slot the caller read (ms)  ARGV[3] the next slot (ms)
-- Result: 1 when this call moved the schedule on, 0 when it had moved already (or is gone).
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
