-- cron_fire: fire one slot of a recurring schedule exactly once across all servers: only the
-- caller that still sees the slot it read moves the schedule to its next slot, and the task for
-- the slot is created in the same atomic step, so a crash cannot fire a slot without its task
-- or a task without moving the slot.
-- @include lib_add_task
-- KEYS[1] next-slot zset  KEYS[2] ready zset  KEYS[3] scheduled zset  KEYS[4] sequence
-- KEYS[5] wake list  KEYS[6] the new task's hash  KEYS[7] its idempotency key
-- ARGV[1] schedule name  ARGV[2] the slot the caller read (ms)  ARGV[3] the next slot (ms)
-- ARGV[4] now (ms)  ARGV[5] '1' to create the task, '0' to skip the slot (a missed slot that
-- is not to be made up), then the 12 task fields as in enqueue.lua from ARGV[6]
-- Result: { "fired" | "skipped" | "lost", task id or '' } ("lost": another server fired it)
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or tonumber(current) ~= tonumber(ARGV[2]) then
  return { 'lost', '' }
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
if ARGV[5] ~= '1' then
  return { 'skipped', '' }
end
local state, id = add_task(KEYS[6], KEYS[7], KEYS[2], KEYS[3], KEYS[4], KEYS[5], tonumber(ARGV[4]), task_fields(6))
return { 'fired', id }
