-- lib_claim: how ready tasks are handed to a worker, shared by claim and complete (which claims
-- the worker's next task in the same round trip). Included at load time.
-- @include lib_score
-- @include lib_task

-- The set of task types a claim accepts, from ARGV[first] to the end: a server claims only
-- tasks it has a handler for, so during a rolling deploy that adds a type the old servers leave
-- its tasks to the new ones instead of burying them.
local function type_set(first)
  local t = {}
  for i = first, #ARGV do
    t[ARGV[i]] = true
  end
  return t
end

-- Moves up to max scheduled tasks whose time has come to the ready set, behind the tasks of
-- their priority that were ready before them. A record whose priority is not a number is buried
-- as corrupt; one that is gone (expired, purged) is dropped.
local function promote_due(scheduled, ready, dead, seq, prefix, now, max, keepDead)
  local due = redis.call('ZRANGEBYSCORE', scheduled, '-inf', now, 'LIMIT', 0, max)
  local plan = {}
  for _, id in ipairs(due) do
    local p = redis.pcall('HGET', prefix .. id, 'priority')
    if failed(p) then break end
    table.insert(plan, { id, p })
  end
  for _, e in ipairs(plan) do
    local id, priority = e[1], e[2]
    local key = prefix .. id
    redis.call('ZREM', scheduled, id)
    if priority and tonumber(priority) then
      local score = ready_score(priority, seq)
      redis.call('HSET', key, 'state', 'queued', 'score', score)
      redis.call('ZADD', ready, score, id)
    elseif priority or redis.call('EXISTS', key) == 1 then
      bury_corrupt(key, dead, id, now, keepDead, 'priority')
    end
  end
end

-- How many tasks may be claimed now, at most max: none while the queue is paused, and no more
-- than its cluster-wide concurrency limit leaves. Attempts that were stopped (timed out,
-- cancelled) but whose handlers have not returned yet still count, until their lingering
-- entry expires with the lease it had.
local function claim_room(config, active, lingering, now, max)
  local settings = redis.call('HMGET', config, 'paused', 'concurrency')
  if settings[1] == '1' then
    return 0
  end
  if settings[2] then
    redis.call('ZREMRANGEBYSCORE', lingering, '-inf', now)
    local busy = redis.call('ZCARD', active) + redis.call('ZCARD', lingering)
    return math.min(max, (tonumber(settings[2]) or 0) - busy)
  end
  return max
end

-- The fields a claim reads first, and which of them must be numbers (the optional ones may be
-- absent, not wrong).
local CLAIM_FIELDS = { 'type', 'attempts', 'maxAttempts', 'fence', 'timeoutMs', 'backoffBase', 'backoffCap', 'runAt' }

-- The first field of a record that cannot be run, or nil when it can.
local function corrupt_field(f)
  if not f[1] or f[1] == '' then return 'type' end
  for i = 2, 4 do
    if not tonumber(f[i]) then return CLAIM_FIELDS[i] end
  end
  for i = 5, #CLAIM_FIELDS do
    if f[i] and f[i] ~= '' and not tonumber(f[i]) then return CLAIM_FIELDS[i] end
  end
  return nil
end

-- Claims up to max ready tasks of the accepted types for owner until lease, and appends each
-- one's record (HGETALL: name/value pairs, read by the Java codec TaskRecord) to out. It looks a
-- little past the head of the queue, so tasks of types this server cannot run do not block it.
-- Every record is read (pcall) before anything is written; a record that is gone is dropped from
-- the ready set, a corrupt one buried with the field named. Returns how many it claimed.
local function claim_ready(out, ready, active, dead, prefix, max, types, now, lease, owner, keepDead)
  if max <= 0 then
    return 0
  end
  local ids = redis.call('ZRANGE', ready, 0, max + 63)
  local plan = {}
  local n = 0
  for _, id in ipairs(ids) do
    if n >= max then break end
    local key = prefix .. id
    local f = redis.pcall('HMGET', key, unpack(CLAIM_FIELDS))
    if failed(f) then break end
    local bad = corrupt_field(f)
    if bad == 'type' and not f[1] and redis.call('EXISTS', key) == 0 then
      table.insert(plan, { id, 'gone' })
    elseif bad then
      table.insert(plan, { id, 'corrupt', bad })
    elseif types[f[1]] then
      table.insert(plan, { id, 'claim' })
      n = n + 1
    end
  end
  for _, e in ipairs(plan) do
    local id = e[1]
    local key = prefix .. id
    redis.call('ZREM', ready, id)
    if e[2] == 'claim' then
      redis.call('HINCRBY', key, 'attempts', 1)
      redis.call('HINCRBY', key, 'fence', 1)
      redis.call('HSET', key, 'state', 'running', 'startedAt', now, 'owner', owner, 'lease', lease)
      redis.call('ZADD', active, lease, id)
      table.insert(out, redis.call('HGETALL', key))
    elseif e[2] == 'corrupt' then
      bury_corrupt(key, dead, id, now, keepDead, e[3])
    end
  end
  return n
end
