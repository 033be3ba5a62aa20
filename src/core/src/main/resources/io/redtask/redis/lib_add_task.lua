-- lib_add_task: the one way a new task enters a queue (enqueue, batch_submit). Included at load
-- time.
-- @include lib_score
-- @include lib_task
-- @include lib_limits

-- Reads one task's fields from ARGV, starting at ARGV[first]: a count n, then n name/value pairs
-- (the names are TaskRecord's, the same as F's). Returns the fields as a table and the index
-- after them.
local function read_fields(first)
  local n = tonumber(ARGV[first])
  local f = {}
  for i = first + 1, first + 2 * n, 2 do
    f[ARGV[i]] = ARGV[i + 1]
  end
  return f, first + 1 + 2 * n
end

-- Fields the caller sends that are instructions, not part of the record (the key names the id).
local TRANSIENT = { [F.id] = true, [F.dueAt] = true, [F.dedupeMs] = true, [F.fingerprint] = true }

-- Most keys or values one command of a batch plan takes (Lua unpacks at most a few thousand).
local PLAN_CHUNK = 1000

-- What the tasks of one call may share instead of paying it each (every redis.call from a
-- script has a fixed cost of its own, the most of a small write): one EXISTS for all their keys
-- (fresh: none is stored yet, the usual case, so no task needs an EXISTS of its own; a key
-- named twice in the call still gets one, so the second is "again" or "exists" as before), and
-- their places in the ready sets, one ZADD per set (flush_ready) instead of one per task. The
-- call's count task keys are KEYS[first + stride * i], i = 1..count.
local function batch_plan(first, stride, count)
  local taskKeys = {}
  for i = 1, count do
    taskKeys[i] = KEYS[first + stride * i]
  end
  local fresh = true
  for i = 1, #taskKeys, PLAN_CHUNK do
    if redis.call('EXISTS', unpack(taskKeys, i, math.min(#taskKeys, i + PLAN_CHUNK - 1))) > 0 then
      fresh = false
      break
    end
  end
  return { fresh = fresh, seen = {}, ready = {} }
end

-- Adds the places in the ready sets that add_task put off (plan from batch_plan): before
-- anything reads those sets.
local function flush_ready(plan)
  for set, entries in pairs(plan.ready) do
    for i = 1, #entries, PLAN_CHUNK do
      redis.call('ZADD', set, unpack(entries, i, math.min(#entries, i + PLAN_CHUNK - 1)))
    end
  end
  plan.ready = {}
end

-- The field (as a reader knows it) that keeps task f from being stored, or nil: its due time and
-- priority must be numbers. Callers check every task of a call before the first write, as a
-- script that fails half-way keeps what it wrote (a batch's earlier tasks stored, but with their
-- places in the ready sets still waiting for flush_ready).
local function unfit_field(f)
  if not tonumber(f[F.dueAt]) then return 'dueAt' end
  if f[F.priority] and not tonumber(f[F.priority]) then return 'priority' end
  return nil
end

-- The error that refuses a call when one of its tasks (from read_fields) is unfit, naming it as
-- `what` and its position; nil when all are fit.
local function unfit_reply(tasks, what)
  for i = 1, #tasks do
    local field = unfit_field(tasks[i])
    if field then
      return redis.error_reply('ERR ' .. what .. ' ' .. i .. ' of the batch has no valid ' .. field)
    end
  end
  return nil
end

-- What a dedupe key says about task f: nil when it is free, else "duplicate" or "conflict" and
-- the first task's id.
local function dedupe_check(dedupeKey, f)
  if not f[F.dedupeMs] then
    return nil
  end
  local existing = redis.call('GET', dedupeKey)
  if not existing then
    return nil
  end
  local id, fp = string.match(existing, '^([^|]*)|?(.*)$')
  if f[F.fingerprint] and fp ~= '' and fp ~= f[F.fingerprint] then
    return 'conflict', id
  end
  return 'duplicate', id
end

-- add_task(taskKey, dedupeKey, ready, scheduled, n, now, f, plan): stores task f, ready now in its
-- type's ready set (ready) with sequence number n (a batch reserves its numbers with one INCRBY,
-- so order within the batch is submit order) or scheduled (fields from read_fields: id, type and
-- dueAt at least; priority 0 when absent; unfit_field has checked them). With dedupeMs,
-- dedupeKey remembers the task (its id, and the fingerprint of its type and payload) for that
-- long, and a second task under the same key is not stored. Returns the state ("queued" |
-- "scheduled"); or "duplicate" and the first task's id; "again" when this very task is stored
-- already (an earlier try whose reply was lost: ids are random, so a record of the same type under
-- the id is this task); or "exists" when the id is taken by another task. With a plan
-- (batch_plan), its place in the ready set waits for flush_ready, unless it is grouped (its
-- group's steps read that place at once). The caller adds the types of queued tasks to the
-- queue's types set and wakes fetchers once for the whole batch (a token per task cost three
-- commands each). With running (a submit's claim that takes this very task: enqueue.lua), a task
-- that is ready now is stored as claimed at once instead: its record as a claim writes it
-- (running.fields: owner, lease, start), its place in running.active, none in a ready set (a
-- grouped task is stored as without it: it waits for its group's turn). running.score is set to
-- the score it would have stood in line with (where a release puts it back).
local function add_task(taskKey, dedupeKey, ready, scheduled, n, now, f, plan, running)
  local seen, first = dedupe_check(dedupeKey, f)
  if seen then
    return seen, first
  end
  local id = f[F.id]
  if not (plan and plan.fresh and not plan.seen[taskKey]) and redis.call('EXISTS', taskKey) == 1 then
    if redis.call('HGET', taskKey, F.type) == f[F.type] then
      return 'again', id
    end
    return 'exists', id
  end
  if plan then
    plan.seen[taskKey] = true
  end
  local due = tonumber(f[F.dueAt])
  local score = score_at(f[F.priority] or 0, n)
  local state = 'queued'
  if due > now then state = 'scheduled' end
  -- Attempts, fence and score are not stored yet (lib_fields: absent is 0; the claim writes the
  -- score it took the task at), nor runAt when it is createdAt, nor createdAt when the id tells it
  -- (the submitter made both from one clock reading), nor the state of a task that is ready: the
  -- claim writes "running" (a grouped one keeps it: a server of an earlier build, serving the
  -- same queue during a rolling deploy, drops a waiting member that has none).
  local hash = {}
  if state ~= 'queued' or f[F.group] then
    hash[#hash + 1] = F.state
    hash[#hash + 1] = state
  end
  if not made_at(id, now) then
    hash[#hash + 1] = F.createdAt
    hash[#hash + 1] = now
  end
  if due > now then
    hash[#hash + 1] = F.runAt
    hash[#hash + 1] = due
  end
  for name, value in pairs(f) do
    if name == F.payload then
      payload_pairs(value, hash)
    elseif not TRANSIENT[name] then
      hash[#hash + 1] = name
      hash[#hash + 1] = value
    end
  end
  -- A grouped task never is (it waits for its group's turn: group_added below).
  local claimed = running and state == 'queued' and not f[F.group]
  if claimed then
    for _, v in ipairs(running.fields) do
      hash[#hash + 1] = v
    end
    hash[#hash + 1] = F.score
    hash[#hash + 1] = score
    running.score = score
  end
  redis.call('HSET', taskKey, unpack(hash))
  if f[F.dedupeMs] then
    redis.call('SET', dedupeKey, id .. '|' .. (f[F.fingerprint] or ''), 'PX', f[F.dedupeMs])
  end
  if claimed then
    redis.call('ZADD', running.active, running.lease, id)
  elseif state == 'queued' and plan and not f[F.group] then
    local entries = plan.ready[ready]
    if not entries then
      entries = {}
      plan.ready[ready] = entries
    end
    entries[#entries + 1] = score
    entries[#entries + 1] = member_of(id)
  elseif state == 'queued' then
    redis.call('ZADD', ready, score, member_of(id))
  else
    redis.call('ZADD', scheduled, due, id)
  end
  group_added(taskKey, ready, f, state)
  return state, id
end
