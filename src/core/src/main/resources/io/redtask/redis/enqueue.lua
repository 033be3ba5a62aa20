-- enqueue: store one or more new tasks of one queue, all in one atomic step (a batch is all or
-- nothing), each ready now or scheduled for later; a task whose dedupe key (idempotency key, or a
-- cron slot) is remembered returns the first task's id instead of storing a second task.
-- @include lib_add_task
-- KEYS[1] ready zset  KEYS[2] scheduled zset  KEYS[3] sequence  KEYS[4] wake list
-- KEYS[4 + 2i - 1] task i's hash, KEYS[4 + 2i] task i's dedupe key (any key of the queue when none)
-- ARGV[1] now (ms), then per task a count n and n name/value pairs of its fields (TaskRecord):
--   id, type, queue, payload, maxAttempts, priority, timeoutMs, idemKey, backoffBase, backoffCap as
--   stored, and the instructions dueAt (ms) and dedupeMs (how long the dedupe key is remembered)
-- Result: per task, its state ("queued" | "scheduled" | "duplicate" | "exists") and its id
-- (for "duplicate", the id of the task submitted first).
local now = tonumber(ARGV[1])
local out = {}
local count = (#KEYS - 4) / 2
local at = 2
for i = 1, count do
  local f
  f, at = read_fields(at)
  local state, id = add_task(KEYS[3 + 2 * i], KEYS[4 + 2 * i], KEYS[1], KEYS[2], KEYS[3], KEYS[4], now, f)
  table.insert(out, state)
  table.insert(out, id)
end
return out
