-- recover: tasks whose lease ran out (their worker died, stalled, or was cut off from Redis) go
-- back to the ready set. A lost lease is not the handler's failure, so the attempt it started is
-- given back; but a task that stalls more than ARGV[5] times (one that kills its server, say)
-- goes to the dead set instead of taking down server after server. Bumping the fencing counter
-- makes the old holder's late complete/fail calls stale. Every record is read (pcall) before
-- anything is written; one whose score is not a number is buried as corrupt.
-- @include lib_task
-- @include lib_limits
-- KEYS[1] active zset  KEYS[2] types set  KEYS[3] dead zset  KEYS[4] wake list
-- ARGV[1] now (ms)  ARGV[2] max tasks  ARGV[3] task key prefix  ARGV[4] keep dead tasks for (ms)
-- ARGV[5] max stalls per task  ARGV[6] ready set prefix ("<prefix>:{q}:queued:", + type)
-- ARGV[7] '1' on a Redis Cluster
-- Result: { number requeued, number dead }
-- Or a TRYAGAIN error, with nothing written, while the queue's settings are on another node (a
-- Cluster slot moving).
local now = tonumber(ARGV[1])
-- The queue's settings before the first write (the groups' steps and the wake-up read them).
if not limits_try(queue_base(KEYS[1])) then return settings_moving() end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local plan = {}
-- Members of one batch met so far: any of them may end it here (buried), so each later one is
-- checked as if it could be the last (lib_batch).
local members = {}
for _, id in ipairs(ids) do
  local f = redis.pcall('HMGET', ARGV[3] .. id, F.state, F.score, F.stalls, F.attempts, F.type)
  if failed(f) then break end
  if f[5] and f[5] ~= '' and failed(redis.pcall('ZCARD', ARGV[6] .. f[5])) then break end
  if state_of(f[1], f[5]) then
    local batchId = redis.call('HGET', ARGV[3] .. id, F.batch)
    local before = 0
    if batchId then
      before = members[batchId] or 0
      members[batchId] = before + 1
    end
    if batch_unreachable(ARGV[3] .. id, before) then break end
  end
  table.insert(plan, { id, f })
end
local requeued, dead = 0, 0
for _, e in ipairs(plan) do
  local id, f = e[1], e[2]
  local key = ARGV[3] .. id
  -- A record that is not here is left alone in a cluster: the slot may be moving and the record
  -- still be on the other node, where its in-flight entry will recover it. On one server it is
  -- gone for good (deleted by hand), and so is its entry.
  local here = state_of(f[1], f[5])
  if here or ARGV[7] ~= '1' then
    redis.call('ZREM', KEYS[1], id)
  end
  if here then
    redis.call('HINCRBY', key, F.fence, 1)
    redis.call('HDEL', key, unpack(ATTEMPT_FIELDS))
    local stalls = (tonumber(f[3]) or 0) + 1
    redis.call('HSET', key, F.stalls, stalls,
      F.error, 'lease expired: the worker stopped renewing it (server down, stalled or cut off from Redis)')
    if (tonumber(f[4]) or 0) > 0 then
      redis.call('HINCRBY', key, F.attempts, -1)
    end
    if not tonumber(f[2]) or not f[5] or f[5] == '' then
      local field = 'score'
      if tonumber(f[2]) then field = 'type' end
      bury_corrupt(key, KEYS[3], id, now, ARGV[4], field)
      dead = dead + 1
    elseif stalls > tonumber(ARGV[5]) then
      bury(key, KEYS[3], id, now, ARGV[4])
      dead = dead + 1
    else
      redis.call('HSET', key, F.state, 'queued', F.runAt, now)
      redis.call('ZADD', ARGV[6] .. f[5], f[2], member_of(id))
      redis.call('SADD', KEYS[2], f[5])
      requeued = requeued + 1
    end
    group_left(key, nil)
  end
end
wake_ready(KEYS[4], requeued)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[4]))
return { requeued, dead }
