-- lib_add_task: the one way a new task enters a queue, shared by enqueue and cron_fire
-- (included at load time, so each stays one atomic script).
-- @include lib_score
-- add_task(taskKey, idemKey, ready, scheduled, seq, wake, now, f) where f holds the fields
-- id, type, queue, payload, maxAttempts, priority, dueAt, timeoutMs, idemKey, idemWindowMs,
-- backoffBase, backoffCap as strings. Returns state ("queued" | "scheduled"), or
-- "duplicate", existingId when the idempotency key was used within its window,
-- or "exists" when the id is taken.
local function add_task(taskKey, idemKey, ready, scheduled, seq, wake, now, f)
  if f.idemKey ~= '' then
    local existing = redis.call('GET', idemKey)
    if existing then
      return 'duplicate', existing
    end
  end
  if redis.call('EXISTS', taskKey) == 1 then
    return 'exists', f.id
  end
  local due = tonumber(f.dueAt)
  local score = ready_score(f.priority, seq)
  local state = 'queued'
  if due > now then state = 'scheduled' end
  redis.call('HSET', taskKey, 'id', f.id, 'type', f.type, 'queue', f.queue, 'payload', f.payload,
    'state', state, 'attempts', 0, 'maxAttempts', f.maxAttempts, 'priority', f.priority, 'score', score,
    'fence', 0, 'createdAt', now, 'runAt', math.max(due, now), 'timeoutMs', f.timeoutMs, 'idemKey', f.idemKey,
    'backoffBase', f.backoffBase, 'backoffCap', f.backoffCap)
  if f.idemKey ~= '' then
    redis.call('SET', idemKey, f.id, 'PX', f.idemWindowMs)
  end
  if state == 'queued' then
    redis.call('ZADD', ready, score, f.id)
    redis.call('LPUSH', wake, '1')
    redis.call('LTRIM', wake, 0, 63)
  else
    redis.call('ZADD', scheduled, due, f.id)
  end
  return state, f.id
end

local TASK_FIELDS = { 'id', 'type', 'queue', 'payload', 'maxAttempts', 'priority', 'dueAt', 'timeoutMs',
  'idemKey', 'idemWindowMs', 'backoffBase', 'backoffCap' }

-- Reads the task fields that start at ARGV[first] into a table.
local function task_fields(first)
  local f = {}
  for i, name in ipairs(TASK_FIELDS) do
    f[name] = ARGV[first + i - 1]
  end
  return f
end
