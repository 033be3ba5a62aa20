-- batch_submit: store a batch in one atomic step: its record, its members (each carrying the
-- batch's id, ready now or scheduled like any new task) and its callback, held until the last
-- member ends (lib_batch). All or nothing; all of one queue (one cluster slot).
-- @include lib_add_task
-- KEYS[1] types set  KEYS[2] scheduled zset  KEYS[3] sequence  KEYS[4] wake list
-- KEYS[5] the batch's hash  KEYS[6] running batches zset  KEYS[7] the callback's hash (the
-- settings hash when there is none)  KEYS[8] any key of the queue (no dedupe key: members may not
-- have idempotency keys)
-- KEYS[8 + 2i - 1] member i's hash, KEYS[8 + 2i] the ready set of member i's type
-- ARGV[1] now (ms)  ARGV[2] batch id  ARGV[3] keep the record for (ms, once done)
-- ARGV[4] callback id, or ''  ARGV[5] who submitted it, or ''  then, when there is a callback, its fields as in enqueue.lua
-- (a count n and n name/value pairs), then each member's fields the same way (with "batch")
-- Result: "ok", or "exists" when the batch id or a task id is taken (nothing is stored).
local now = tonumber(ARGV[1])
local batchId = ARGV[2]
-- The queue's settings (the wake-up at the end asks whether it is paused), read before anything
-- is written, as enqueue.lua does: while a Cluster slot moves they may be on the other node
-- already, and then nothing is stored and the caller tries again.
if not limits_try(queue_base(KEYS[1])) then return settings_moving() end
local count = (#KEYS - 8) / 2
local at = 6
local callback = nil
if ARGV[4] ~= '' then
  callback, at = read_fields(at)
end
local members = {}
for i = 1, count do
  members[i], at = read_fields(at)
end
local unfit = unfit_reply(members, 'member')
if unfit then return unfit end
if redis.call('EXISTS', KEYS[5]) == 1 or (callback and redis.call('EXISTS', KEYS[7]) == 1) then
  return 'exists'
end
local plan = batch_plan(7, 2, count)
if not plan.fresh then
  return 'exists'
end
if callback then
  -- Held below under its own key: a member of the same id must find it taken.
  plan.seen[KEYS[7]] = true
end
redis.call('HSET', KEYS[5], 'total', count, 'pending', count, 'succeeded', 0, 'dead', 0, 'cancelled', 0,
  'state', 'running', 'callback', ARGV[4], 'createdAt', now, 'keepMs', ARGV[3])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[5], 'submittedBy', ARGV[5])
end
redis.call('ZADD', KEYS[6], now, batchId)
if callback then
  batch_hold_callback(KEYS[7], callback, batchId, now, TRANSIENT)
end
-- As enqueue.lua does: one sequence number per member reserved at once, each type named once,
-- one wake for all.
local seq = redis.call('INCRBY', KEYS[3], count_text(count)) - count
-- woken: the members that stand in a ready set (a grouped one waits for its group's turn, and its
-- group's steps wake a fetcher when they let it into line).
local woken, types = 0, {}
for i = 1, count do
  local state = add_task(KEYS[7 + 2 * i], KEYS[8], KEYS[8 + 2 * i], KEYS[2], seq + i, now, members[i], plan)
  if state == 'queued' then
    if not members[i][F.group] then woken = woken + 1 end
    types[members[i][F.type]] = true
  end
end
flush_ready(plan)
for t in pairs(types) do
  redis.call('SADD', KEYS[1], t)
end
wake_ready(KEYS[4], woken)
return 'ok'
