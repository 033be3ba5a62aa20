-- enqueue: store one or more new tasks of one queue, all in one atomic step (a batch is all or
-- nothing), each ready now or scheduled for later; an idempotency key seen within its window
-- returns the first task's id instead of storing a second task.
-- @include lib_add_task
-- KEYS[1] ready zset  KEYS[2] scheduled zset  KEYS[3] sequence  KEYS[4] wake list
-- KEYS[4 + 2i - 1] task i's hash, KEYS[4 + 2i] task i's idempotency key (any key of the queue when none)
-- ARGV[1] now (ms), then 12 fields per task: id, type, queue, payload, maxAttempts, priority,
--   dueAt (ms), timeoutMs (0 = none), idempotency key ('' = none), idempotency window (ms),
--   backoff base (ms, '' = default), backoff cap (ms, '' = default)
-- Result: per task, its state ("queued" | "scheduled" | "duplicate" | "exists") and its id
-- (for "duplicate", the id of the task submitted first).
local now = tonumber(ARGV[1])
local out = {}
local count = (#KEYS - 4) / 2
for i = 1, count do
  local f = task_fields(2 + (i - 1) * 12)
  local state, id = add_task(KEYS[3 + 2 * i], KEYS[4 + 2 * i], KEYS[1], KEYS[2], KEYS[3], KEYS[4], now, f)
  table.insert(out, state)
  table.insert(out, id)
end
return out
