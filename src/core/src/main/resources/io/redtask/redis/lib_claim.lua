-- lib_claim: how a ready task is handed to a worker, shared by claim and complete (which claims
-- the worker's next task in the same round trip). Included at load time.
-- @include lib_score

-- Moves up to max scheduled tasks whose time has come to the ready set, behind the tasks of
-- their priority that were ready before them.
local function promote_due(scheduled, ready, seq, prefix, now, max)
  local due = redis.call('ZRANGEBYSCORE', scheduled, '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(due) do
    redis.call('ZREM', scheduled, id)
    local key = prefix .. id
    local priority = redis.call('HGET', key, 'priority')
    if priority then
      local score = ready_score(priority, seq)
      redis.call('HSET', key, 'state', 'queued', 'score', score)
      redis.call('ZADD', ready, score, id)
    end
  end
end

-- How many tasks may be claimed now, at most max: none while the queue is paused, and no more
-- than its cluster-wide concurrency limit leaves.
local function claim_room(config, active, max)
  local settings = redis.call('HMGET', config, 'paused', 'concurrency')
  if settings[1] == '1' then
    return 0
  end
  if settings[2] then
    return math.min(max, tonumber(settings[2]) - redis.call('ZCARD', active))
  end
  return max
end

-- Claims task id (already taken off the ready set) for owner until lease and appends its record
-- (HGETALL: name/value pairs, read by the Java codec TaskRecord) to out. A ready entry whose record
-- is gone (expired or purged) is dropped, not run blind.
local function claim_task(out, id, key, active, now, lease, owner)
  if redis.call('EXISTS', key) == 0 then
    return false
  end
  redis.call('HINCRBY', key, 'attempts', 1)
  redis.call('HINCRBY', key, 'fence', 1)
  redis.call('HSET', key, 'state', 'running', 'startedAt', now, 'owner', owner, 'lease', lease)
  redis.call('ZADD', active, lease, id)
  table.insert(out, redis.call('HGETALL', key))
  return true
end
