-- enqueue: store one or more new tasks of one queue, all in one atomic step (a batch is all or
-- nothing), each ready now or scheduled for later; a task whose dedupe key (idempotency key, or a
-- cron slot) is remembered returns the first task's id instead of storing a second task.
-- @include lib_add_task
-- @include lib_claim
-- KEYS[1] types set  KEYS[2] scheduled zset  KEYS[3] sequence  KEYS[4] wake list
-- KEYS[4 + 3i - 2] task i's hash, KEYS[4 + 3i - 1] task i's dedupe key (any key of the queue when
-- none), KEYS[4 + 3i] the ready set of task i's type
-- With a claim (a server with free workers submits: it takes the queue's next ready tasks in the
-- same round trip, instead of a fetcher being woken to claim them), KEYS ends with the claim's
-- keys: active zset, queue settings hash, dead zset, lingering zset, then the ready sets of the
-- task types the server can run.
-- ARGV[1] now (ms)  ARGV[2] how many claim keys end KEYS (0: no claim); with a claim,
-- ARGV[3] max tasks to claim  ARGV[4] lease (ms)  ARGV[5] owner node id  ARGV[6] task key prefix
-- ARGV[7] keep dead tasks for (ms)  ARGV[8] '1' on a Redis Cluster;
-- then per task a count n and n name/value pairs of its fields (named as in lib_fields and
--   TaskRecord): type, payload (stored in parts), maxAttempts, priority, timeoutMs, idemKey,
--   backoffBase, backoffCap, ... as stored (those at their defaults left out), and the
--   instructions id, dueAt (ms), dedupeMs (how long the dedupe key is remembered) and fingerprint
--   (of type and payload, to tell a repeat from a different task reusing the key)
-- Result: per task, its state ("queued" | "scheduled" | "duplicate" | "again" | "exists") and its id (for
-- "duplicate", the id of the task submitted first); or, when a dedupe key was used for a task
-- with another fingerprint, nothing is stored and the result is { "conflicts", { "conflict",
-- first task's id, position (1-based), ... } }. With a claim, the result ends with "claimed" and
-- the claimed tasks as claim.lua answers them (without the next due time).

-- The values of CLAIM_FIELDS in task f's fields (from read_fields), by position, as claim_read
-- reads them from a record (false when absent).
local function claim_values(f)
  local values = {}
  for i, name in ipairs(CLAIM_FIELDS) do
    values[i] = f[name] or false
  end
  return values
end

-- Whether a single submit's claim may take its own task f (fields from read_fields; ready is its
-- type's ready set; the claim's keys follow KEYS[first]): it is ready now and not grouped, this
-- server runs its type, nothing waits in this server's ready sets (nor in those of the old names,
-- where an earlier version may have left tasks), and the queue has room for one more start.
-- Returns add_task's running, or nil.
local function direct_claim(f, ready, first, now)
  if f[F.group] or not (tonumber(f[F.dueAt]) <= now) then return nil end
  -- A record a claim would bury as corrupt (a caller other than RedTask's, say) goes the claim's
  -- way, which buries it.
  if corrupt_field(claim_values(f)) then return nil end
  local sets = ready_sets(first + 5)
  local own = false
  local names = {}
  for _, set in ipairs(sets) do
    if set == ready then own = true end
    names[#names + 1] = set
    local old = old_ready_of(set)
    if old then
      local exists = look_old(old)
      if failed(exists) or exists > 0 then return nil end
    end
  end
  if not own or redis.call('EXISTS', unpack(names)) > 0 then return nil end
  if claim_room(KEYS[first + 2], KEYS[first + 1], KEYS[first + 4], now, 1) < 1 then return nil end
  local lease = string.format('%.0f', now + tonumber(ARGV[4]))
  return {
    active = KEYS[first + 1], lease = lease,
    fields = { F.attempts, '1', F.fence, '1', F.state, 'running', F.startedAt, ARGV[1], F.owner, ARGV[5], F.lease,
      lease },
  }
end

-- The claim's reply for task f, stored by add_task as claimed at now (its key is taskKey): as
-- claimed_record answers a task a claim read back, from the fields the submit sent.
local function direct_record(taskKey, f, now)
  local values = claim_values(f)
  -- Stored when the id does not tell it (add_task); runAt is not stored for a task ready now.
  if not made_at(f[F.id], now) then values[CLAIM_AT[F.createdAt]] = ARGV[1] end
  values[CLAIM_AT[F.runAt]] = false
  local record = claimed_record(f[F.id], values, f[F.payload], 1, 1)
  limits_claimed(taskKey, record)
  return record
end

local now = tonumber(ARGV[1])
local claimKeys = tonumber(ARGV[2])
-- The queue's settings (kept for this call: the claim and the wake-up below use them) before
-- anything is written: without a claim they are not a declared key, and while a Cluster slot moves
-- they may be on the other node already. Nothing is stored then, and the caller tries again.
if not limits_try(queue_base(KEYS[1])) then return settings_moving() end
local count = (#KEYS - 4 - claimKeys) / 3
local tasks = {}
local at = 3
if claimKeys > 0 then at = 9 end
for i = 1, count do
  tasks[i], at = read_fields(at)
end
-- A task that cannot be stored refuses the whole batch before anything is written.
local unfit = unfit_reply(tasks, 'task')
if unfit then return unfit end
-- A key reused for a different task refuses the whole batch before anything is written.
local conflicts = {}
for i = 1, count do
  local seen, first = dedupe_check(KEYS[3 + 3 * i], tasks[i])
  if seen == 'conflict' then
    conflicts[#conflicts + 1] = i
    conflicts[#conflicts + 1] = first
  end
end
if #conflicts > 0 then
  local out = {}
  for i = 1, #conflicts, 2 do
    out[#out + 1] = 'conflict'
    out[#out + 1] = conflicts[i + 1]
    out[#out + 1] = conflicts[i]
  end
  return { 'conflicts', out }
end
-- A single submit's claim whose queue has nothing else waiting for this server takes the new task
-- itself: it is stored as claimed at once (add_task's running), with no place in a ready set to
-- add and remove, no wake token and no record to read back. That is what the claim below would
-- take (the queue's next task), so order, pause and limits hold as they do there.
local running = nil
if claimKeys > 0 and count == 1 then
  running = direct_claim(tasks[1], KEYS[7], #KEYS - claimKeys, now)
end
local out = {}
-- One sequence number per task, reserved at once (a duplicate leaves a gap, which orders nothing).
local seq = redis.call('INCRBY', KEYS[3], count_text(count)) - count
-- added: the new tasks that stand in a ready set (a grouped one waits for its group's turn, and
-- its group's steps wake a fetcher when they let it into line); woken: how many of them.
local queued, woken, types, added = 0, 0, {}, {}
local plan = nil
if count > 1 then
  plan = batch_plan(2, 3, count)
end
for i = 1, count do
  local state, id = add_task(KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i], KEYS[2], seq + i, now, tasks[i], plan,
    running)
  if state == 'queued' then
    queued = queued + 1
    types[tasks[i][F.type]] = true
    if not tasks[i][F.group] then
      woken = woken + 1
      added[id] = true
    end
  end
  out[#out + 1] = state
  out[#out + 1] = id
end
if plan then
  flush_ready(plan)
end
for t in pairs(types) do
  redis.call('SADD', KEYS[1], t)
end
local claimed = {}
if running and running.score then
  claimed[1] = direct_record(KEYS[5], tasks[1], now)
elseif claimKeys > 0 and queued > 0 then
  -- The queue's next tasks (not necessarily these: order holds), as any claim takes them: pause,
  -- concurrency, rate and group limits apply alike.
  local first = #KEYS - claimKeys
  -- As a fetcher's claim: tasks of earlier versions under the old names are taken into line too.
  SWEEP.legacy = true
  local room = claim_room(KEYS[first + 2], KEYS[first + 1], KEYS[first + 4], now, tonumber(ARGV[3]))
  claim_ready(claimed, ready_sets(first + 5), KEYS[first + 1], KEYS[first + 3], ARGV[6], room, now,
    now + tonumber(ARGV[4]), ARGV[5], ARGV[7], ARGV[8] == '1')
end
-- Tokens for the new tasks left ready: a fetcher woken for one this submit took would find
-- nothing. The claim may have taken older tasks instead (the queue's order), whose tokens are out
-- already; the new ones, maybe of a type only other servers run, still need theirs.
local taken = 0
for _, record in ipairs(claimed) do
  if added[record[2]] then taken = taken + 1 end
end
wake_ready(KEYS[4], woken - taken)
if claimKeys > 0 then
  out[#out + 1] = 'claimed'
  out[#out + 1] = claimed
end
return out
