-- lib_add_task: the one way a new task enters a queue (enqueue). Included at load time.
-- @include lib_score
-- @include lib_task
-- @include lib_limits

-- Reads one task's fields from ARGV, starting at ARGV[first]: a count n, then n name/value pairs
-- (the names are TaskRecord's). Returns the fields as a table and the index after them.
local function read_fields(first)
  local n = tonumber(ARGV[first])
  local f = {}
  for i = first + 1, first + 2 * n, 2 do
    f[ARGV[i]] = ARGV[i + 1]
  end
  return f, first + 1 + 2 * n
end

-- Fields the caller sends that are instructions, not part of the record.
local TRANSIENT = { dueAt = true, dedupeMs = true, fingerprint = true }

-- add_task(taskKey, dedupeKey, ready, scheduled, n, now, f): stores task f, ready now in its
-- type's ready set (ready) with sequence number n (a batch reserves its numbers with one INCRBY,
-- so order within the batch is submit order) or scheduled (fields from read_fields: id, type,
-- queue, priority and dueAt at least). With f.dedupeMs, dedupeKey remembers the task (its id, and
-- f.fingerprint of its type and payload) for that long, and a second task under the same key is
-- not stored. Returns the state ("queued" | "scheduled"); or "duplicate" and the first task's id;
-- or "exists" when the id is taken. The caller adds the types of queued tasks to the queue's
-- types set and wakes fetchers once for the whole batch (a token per task cost three commands
-- each).
-- What a dedupe key says about task f: nil when it is free, else "duplicate" or "conflict" and
-- the first task's id.
local function dedupe_check(dedupeKey, f)
  if not f.dedupeMs then
    return nil
  end
  local existing = redis.call('GET', dedupeKey)
  if not existing then
    return nil
  end
  local id, fp = string.match(existing, '^([^|]*)|?(.*)$')
  if f.fingerprint and fp ~= '' and fp ~= f.fingerprint then
    return 'conflict', id
  end
  return 'duplicate', id
end

local function add_task(taskKey, dedupeKey, ready, scheduled, n, now, f)
  local seen, first = dedupe_check(dedupeKey, f)
  if seen then
    return seen, first
  end
  if redis.call('EXISTS', taskKey) == 1 then
    return 'exists', f.id
  end
  local due = tonumber(f.dueAt)
  local score = score_at(f.priority, n)
  local state = 'queued'
  if due > now then state = 'scheduled' end
  local hash = { 'state', state, 'attempts', 0, 'score', score, 'fence', 0, 'createdAt', now,
    'runAt', math.max(due, now) }
  for name, value in pairs(f) do
    if not TRANSIENT[name] then
      table.insert(hash, name)
      table.insert(hash, value)
    end
  end
  redis.call('HSET', taskKey, unpack(hash))
  if f.dedupeMs then
    redis.call('SET', dedupeKey, f.id .. '|' .. (f.fingerprint or ''), 'PX', f.dedupeMs)
  end
  if state == 'queued' then
    redis.call('ZADD', ready, score, f.id)
  else
    redis.call('ZADD', scheduled, due, f.id)
  end
  group_added(taskKey, ready, f, state)
  return state, f.id
end
