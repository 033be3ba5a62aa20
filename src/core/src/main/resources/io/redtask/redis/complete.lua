-- complete: record success for one or more finished tasks of one queue, each for the holder of its
-- current owner token, and claim the next ready task for every worker that asks, in the same round
-- trip. Workers that finish while another's completion is on its way share the next call
-- (RedisTaskStore combines them), so a busy queue costs a fraction of a call per task.
-- Idempotent per task for its caller: when the reply to a completion was lost and the worker sends
-- it again, the task is already succeeded under the same token, nothing changes, and the answer is
-- the same, including the next task that completion claimed (so it does not sit unrun for a lease).
-- @include lib_claim
-- KEYS[1] active zset  KEYS[2] queue counters hash  KEYS[3] this 10-second bucket of the counters
-- (for per-minute rates)  KEYS[4] types set  KEYS[5] queue settings hash  KEYS[6] scheduled zset
-- (due tasks are promoted first, so a busy queue does not starve them)  KEYS[7] sequence
-- KEYS[8] dead zset  KEYS[9] lingering zset
-- KEYS[10..] the ready sets of the task types this server can run (none when no task asks for a next one)
-- ARGV[1] keep succeeded tasks for (ms)  ARGV[2] keep the bucket for (ms, from its first
-- completion)  ARGV[3] lease (ms)
-- ARGV[4] owner node id  ARGV[5] task key prefix  ARGV[6] max scheduled tasks to promote
-- ARGV[7] keep dead tasks for (ms)  ARGV[8] ready set prefix  ARGV[9] '1' on a Redis Cluster
-- ARGV[10] now (ms) of the call: when next tasks start and their leases begin
-- ARGV[11] '1' when the next claims look for what earlier versions left under the old names
-- (lib_claim: SWEEP)
-- then 5 values per task from ARGV[12]: id, owner token, finished at (ms), result (JSON),
--   '1' to claim its worker's next task, '0' not to
-- Result: per task, in order: { 0 } when the token is stale (the lease was lost; another worker
-- owns the task or it was cancelled) - then nothing changes for it, but for its attempt's entry in
-- the lingering set, which goes (its handler has returned: a cancel this server heard of only
-- afterwards counted it until now); else { 1 } followed by the
-- next task's record as in claim.lua when one was claimed for its worker; then what the next
-- claims' look under the old names saw, when they looked (lib_claim: sweep_reply).
local prefix = ARGV[5]
local now = tonumber(ARGV[10])
local count = (#ARGV - 11) / 5
SWEEP.legacy = ARGV[11] == '1'
local replies = {}
local wanting = {}
local ending = {}
local endingIds = {}
local nextOf = {}
local completed = 0
local seen = {}
local endingOf = {}
-- The batch field of each ending task, read once (false: none).
local batchOf = {}
-- Whether each ending task's payload is stored in parts (its second part is there).
local partsOf = {}
-- The lingering entries (id:token) of refused attempts, removed once the loop has read everything.
local refused = {}

-- The task ended: it succeeded. Steps every terminal transition of a completed task shares go
-- here, once per task. next/nextFence remember the task claimed for its worker (none: absent), so
-- that a repeat of this completion (its reply lost) hands the same task back.
local function succeeded(id, key, finishedAt, result, nextId, nextFence, batchId, parts)
  if nextId then
    redis.call('HSET', key, F.state, 'succeeded', F.result, result, F.finishedAt, finishedAt, F.next, nextId,
      F.nextFence, nextFence)
  else
    redis.call('HSET', key, F.state, 'succeeded', F.result, result, F.finishedAt, finishedAt)
  end
  -- An error of an earlier failed attempt would only confuse a reader of a succeeded task.
  -- Its payload goes too: a kept task is its outcome. Only the parts there are named: every name
  -- is an argument to convert and a field to look for.
  if parts then
    redis.call('HDEL', key, unpack(SUCCEEDED_DROPS_PARTS))
  else
    redis.call('HDEL', key, unpack(SUCCEEDED_DROPS))
  end
  redis.call('PEXPIRE', key, ARGV[1])
  batch_end(key, 'succeeded', tonumber(finishedAt), batchId)
end

for i = 1, count do
  local at = 11 + 5 * (i - 1)
  local id, token = ARGV[at + 1], ARGV[at + 2]
  local key = prefix .. id
  -- The task hashes are not declared keys (one call ends tasks of many ids): while a Cluster slot
  -- moves, one may already be on the other node. Nothing is written yet, so the call is retried.
  local f = redis.pcall('HMGET', key, F.fence, F.state, F.next, F.nextFence, F.batch, PAYLOAD_FIELDS[2])
  if failed(f) then
    return redis.error_reply('TRYAGAIN task ' .. id .. ' is moving to another node')
  end
  if seen[id] then
    -- The same completion twice in one call (the combiner never sends that; cheap to guard):
    -- answered as the first, counted once, with no second next task.
    replies[i] = { replies[seen[id]][1] }
  elseif f[1] ~= token then
    replies[i] = { 0 }
    refused[#refused + 1] = id .. ':' .. token
  elseif f[2] == 'succeeded' then
    -- A repeat: answered as the first time, with the next task it claimed if that is still held.
    replies[i] = { 1 }
    if f[3] then
      local nextKey = prefix .. f[3]
      local g = redis.pcall('HMGET', nextKey, F.fence, F.state, F.owner)
      if not failed(g) and g[1] == f[4] and g[2] == 'running' and g[3] == ARGV[4] then
        replies[i][#replies[i] + 1] = held_record(nextKey, f[3])
      end
    end
  elseif f[2] ~= 'running' then
    replies[i] = { 0 }
    refused[#refused + 1] = id .. ':' .. token
  else
    -- Nothing is written before this loop ends: a batch record not on this node (its Cluster
    -- slot moving) sends the whole call back to be retried, rather than stopping half-way.
    local batchId = f[5]
    local before = 0
    if batchId then
      before = endingOf[batchId] or 0
      endingOf[batchId] = before + 1
    end
    if batch_unreachable(key, before, batchId) then return batch_tryagain(id) end
    batchOf[i] = batchId
    partsOf[i] = f[6]
    ending[#ending + 1] = i
    endingIds[#endingIds + 1] = id
    completed = completed + 1
    replies[i] = { 1 }
    if ARGV[at + 5] == '1' then
      wanting[#wanting + 1] = i
    end
  end
  if not seen[id] then seen[id] = i end
end

if #refused > 0 then
  redis.call('ZREM', KEYS[9], unpack(refused))
end

if completed > 0 then
  -- Out of the in-flight set first, so that they no longer count against the queue's limit when
  -- the next tasks are claimed below; their records are written once those are known.
  redis.call('ZREM', KEYS[1], unpack(endingIds))
  local completedText = count_text(completed)
  redis.call('HINCRBY', KEYS[2], 'completed', completedText)
  -- The bucket's expiry is set when its count starts, not at every call: a bucket that holds a
  -- count has one already (whichever script started it set it).
  if redis.call('HINCRBY', KEYS[3], 'completed', completedText) == completed then
    redis.call('PEXPIRE', KEYS[3], ARGV[2])
  end
  -- Their groups' places are free before the next tasks are claimed (lib_limits; asked once per
  -- call, not per task, whether the queue has groups at all).
  if limits_of(queue_base(KEYS[5])).grouped then
    for _, endingId in ipairs(endingIds) do
      group_left(prefix .. endingId, false)
    end
  end
end

if #wanting > 0 then
  local room = claim_room(KEYS[5], KEYS[1], KEYS[9], now, #wanting)
  if room > 0 then
    local clustered = ARGV[9] == '1'
    promote_due(KEYS[6], ARGV[8], KEYS[4], KEYS[8], KEYS[7], prefix, now, ARGV[10], tonumber(ARGV[6]),
      ARGV[7], clustered)
    local claimed = {}
    claim_ready(claimed, ready_sets(10), KEYS[1], KEYS[8], prefix, room, now, now + tonumber(ARGV[3]), ARGV[4],
      ARGV[7], clustered)
    for j, record in ipairs(claimed) do
      local i = wanting[j]
      replies[i][#replies[i] + 1] = record
      nextOf[i] = record
    end
  end
end

for _, i in ipairs(ending) do
  local at = 11 + 5 * (i - 1)
  local record = nextOf[i]
  if record then
    succeeded(ARGV[at + 1], prefix .. ARGV[at + 1], ARGV[at + 3], ARGV[at + 4], record[2], record[6], batchOf[i],
      partsOf[i])
  else
    succeeded(ARGV[at + 1], prefix .. ARGV[at + 1], ARGV[at + 3], ARGV[at + 4], nil, nil, batchOf[i], partsOf[i])
  end
end
sweep_reply(replies)
return replies
