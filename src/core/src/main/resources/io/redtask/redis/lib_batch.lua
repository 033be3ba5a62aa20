-- lib_batch: batches, counted inside the scripts that end their members, so the count and the
-- callback's release are atomic with the member's last transition: no Java step that a crashed
-- server could skip stands between a member's end and its count. Included at load time by
-- lib_task (so bury, and with it every way to die, counts) and by the scripts that end tasks in
-- other ways (complete: succeeded, cancel: cancelled). Self-contained: lib_task includes it
-- before its own functions.
-- @include lib_fields
-- @include lib_score
--
-- A batch "<prefix>:{q}:batch:<id>" is a hash: total, pending, succeeded, dead, cancelled, state
-- ("running" | "done"), callback (task id, or ''), createdAt, finishedAt, submittedBy, keepMs (how long the
-- record is kept once done). Its members carry F.batch = the batch id, and F.batchEnd = the
-- outcome once counted, so that no path (a repeated reply, a record buried twice) counts a
-- member twice. The callback waits in state "scheduled" with F.waitsFor = the batch id, in no
-- ready or scheduled set, until the last member ends. Every key is of the queue's slot: the
-- members, the record and the callback share one queue. The record is not a declared key of the
-- scripts that end tasks, so they call batch_unreachable before writing (a migrating slot).

-- The queue's key prefix "<prefix>:{q}:" of a key "<prefix>:{q}:task:<id>" (neither the prefix
-- nor a queue name may hold braces, so the first "}:" closes the hash tag).
local function batch_queue_prefix(taskKey)
  return string.match(taskKey, '^(.-}:)task:')
end

-- The callback task, written at submit: held until the batch is done.
local function batch_hold_callback(key, f, batchId, now, transient)
  local hash = { F.state, 'scheduled', F.createdAt, now, F.waitsFor, batchId }
  for name, value in pairs(f) do
    if name == F.payload then
      payload_pairs(value, hash)
    elseif not transient[name] then
      table.insert(hash, name)
      table.insert(hash, value)
    end
  end
  redis.call('HSET', key, unpack(hash))
end

-- The callback's payload: the submitted payload (a JSON object, or null) with "batch" set to the
-- summary. The submitter refused payloads of another shape and a "batch" field of its own.
local function batch_callback_payload(payload, summary)
  local body = payload and string.match(payload, '^%s*{(.*)$')
  if not body or string.match(body, '^%s*}%s*$') then
    return '{"batch":' .. summary .. '}'
  end
  return '{"batch":' .. summary .. ',' .. body
end

-- Makes the held callback of a done batch ready to run, with the batch's summary in its payload.
-- A callback cancelled meanwhile stays cancelled.
local function batch_release_callback(q, batchId, b, now)
  local key = q .. 'task:' .. b.callback
  local c = redis.call('HMGET', key, F.state, F.waitsFor, F.type, F.priority)
  if c[1] ~= 'scheduled' or c[2] ~= batchId or not c[3] or not tonumber(c[4] or 0) then
    return
  end
  local summary = string.format('{"id":"%s","total":%d,"succeeded":%d,"dead":%d,"cancelled":%d}',
    batchId, b.total, b.succeeded, b.dead, b.cancelled)
  local score = ready_score(c[4] or 0, q .. 'seq')
  payload_set(key, batch_callback_payload(payload_of(key), summary))
  redis.call('HSET', key, F.state, 'queued', F.runAt, now)
  redis.call('HDEL', key, F.waitsFor)
  redis.call('ZADD', q .. READY .. c[3], score, member_of(b.callback))
  redis.call('SADD', q .. 'types', c[3])
  -- None while the queue is paused (the resume wakes the fetchers). Read with pcall: this runs
  -- after writes, and a wake-up is only a hint, so a settings hash out of reach wakes as before.
  local paused = redis.pcall('HGET', q .. 'config', 'paused')
  if failed(paused) or paused ~= '1' then wake(q .. 'wake', 1) end
end

-- Whether what a member's end may touch beyond the caller's own keys is out of this script's reach:
-- while a cluster slot migrates, keys of the queue already on the other node cannot be read or
-- written here. The scripts that end tasks ask before they write anything and answer TRYAGAIN (the
-- caller tries again once the slot has moved), rather than end a member uncounted.
-- endingBefore: how many other members of the same batch this call ends before this one (a
-- combined completion may end several): this one may be the last when pending - endingBefore <= 1.
-- batchId: the task's batch field when the caller read it already (false: none), else nil.
local function batch_unreachable(taskKey, endingBefore, batchId)
  local id = batchId
  if id == nil then id = redis.call('HGET', taskKey, F.batch) end
  if not id then
    return false
  end
  local q = batch_queue_prefix(taskKey)
  local b = redis.pcall('HMGET', q .. 'batch:' .. id, 'state', 'pending', 'callback')
  if failed(b) then
    return true
  end
  if b[1] ~= 'running' or (tonumber(b[2]) or 0) - (endingBefore or 0) > 1 then
    return false
  end
  -- This member may be the last: the batch's end and its callback's release touch these too.
  local keys = { q .. 'batches:running', q .. 'batches:done', q .. 'stats', q .. 'seq', q .. 'types', q .. 'wake' }
  if b[3] and b[3] ~= '' then
    local t = redis.pcall('HGET', q .. 'task:' .. b[3], F.type)
    if failed(t) then
      return true
    end
    if t then
      table.insert(keys, q .. READY .. t)
    end
  end
  for _, k in ipairs(keys) do
    local r = redis.pcall('EXISTS', k)
    if failed(r) then
      return true
    end
  end
  return false
end

-- The answer of a script that stops because batch_unreachable said so.
local function batch_tryagain(id)
  return redis.error_reply('TRYAGAIN the batch of task ' .. id .. ' is moving to another node')
end

-- Counts the end of a task (outcome "succeeded" | "dead" | "cancelled") in its batch, if it has
-- one, once per member; the member that ends last makes the batch done and releases its callback.
-- batchId as for batch_unreachable.
local function batch_end(taskKey, outcome, now, batchId)
  local id = batchId
  if id == nil then id = redis.call('HGET', taskKey, F.batch) end
  if not id then
    return
  end
  if redis.call('HSETNX', taskKey, F.batchEnd, outcome) == 0 then
    return
  end
  local q = batch_queue_prefix(taskKey)
  local bkey = q .. 'batch:' .. id
  if redis.call('HGET', bkey, 'state') ~= 'running' then
    -- Expired, or done already (a member retried from the dead set after its batch was done).
    return
  end
  redis.call('HINCRBY', bkey, outcome, 1)
  if redis.call('HINCRBY', bkey, 'pending', -1) > 0 then
    return
  end
  local f = redis.call('HMGET', bkey, 'total', 'succeeded', 'dead', 'cancelled', 'callback', 'keepMs')
  local b = { total = tonumber(f[1]) or 0, succeeded = tonumber(f[2]) or 0, dead = tonumber(f[3]) or 0,
    cancelled = tonumber(f[4]) or 0, callback = f[5] }
  redis.call('HSET', bkey, 'state', 'done', 'finishedAt', now)
  redis.call('PEXPIRE', bkey, f[6] or 86400000)
  redis.call('ZREM', q .. 'batches:running', id)
  redis.call('ZADD', q .. 'batches:done', now, id)
  redis.call('ZREMRANGEBYSCORE', q .. 'batches:done', '-inf', now - tonumber(f[6] or 86400000))
  redis.call('HINCRBY', q .. 'stats', 'batchesDone', 1)
  if b.callback and b.callback ~= '' then
    batch_release_callback(q, id, b, now)
  end
end

-- A dead member retried from the dead set: while its batch is still running, it is pending again
-- and its new outcome will be counted; once the batch is done it stays done (its callback ran),
-- and the retried task's outcome is its own.
local function batch_reopen(taskKey)
  local f = redis.call('HMGET', taskKey, F.batch, F.batchEnd)
  if not f[1] or f[2] ~= 'dead' then
    return
  end
  local bkey = batch_queue_prefix(taskKey) .. 'batch:' .. f[1]
  if redis.call('HGET', bkey, 'state') ~= 'running' then
    return
  end
  redis.call('HINCRBY', bkey, 'dead', -1)
  redis.call('HINCRBY', bkey, 'pending', 1)
  redis.call('HDEL', taskKey, F.batchEnd)
end
