-- fail: record a failed attempt for the holder of the current owner token, then either retry
-- the task (now, or at a due time) or move it to the dead set. Idempotent for its caller: when
-- the reply was lost and the worker sends it again, nothing changes and the answer says what
-- became of the task. With ARGV[8] = '1' (a timed-out attempt whose handler has not returned),
-- the attempt keeps counting against the queue's concurrency limit until it returns or its lease
-- runs out (the lingering set).
-- @include lib_score
-- @include lib_task
-- @include lib_limits
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] the ready set of the task's type  KEYS[4] scheduled zset
-- KEYS[5] dead zset (score = time of death ms)  KEYS[6] wake list  KEYS[7] queue counters hash
-- KEYS[8] this 10-second bucket of the counters (for per-minute rates)  KEYS[9] sequence
-- KEYS[10] lingering zset (member id:token, score = lease deadline)
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] error message
-- ARGV[5] retry at (ms; -1 = do not retry, dead now)  ARGV[6] keep dead tasks for (ms)
-- ARGV[7] keep the bucket for (ms)  ARGV[8] '1' when the handler is still running
-- Result: "retry" | "scheduled" | "dead", or "stale" when the token is stale (nothing changes,
-- but for the attempt's entry in the lingering set when its handler has returned: a cancel this
-- server heard of only afterwards counted it until now).
-- Or a TRYAGAIN error, with nothing written, while the queue's settings are on another node (a
-- Cluster slot moving).
-- A refused attempt whose handler has returned no longer counts against the queue's limit.
local function stale()
  if ARGV[8] ~= '1' then redis.call('ZREM', KEYS[10], ARGV[1] .. ':' .. ARGV[2]) end
  return 'stale'
end
local f = redis.call('HMGET', KEYS[1], F.fence, F.state, F.attempts, F.maxAttempts, F.priority)
if f[1] ~= ARGV[2] then
  return stale()
end
if f[2] ~= 'running' then
  if f[2] == 'queued' then return 'retry' end
  if f[2] == 'scheduled' or f[2] == 'dead' then return f[2] end
  return stale()
end
if batch_unreachable(KEYS[1]) then return batch_tryagain(ARGV[1]) end
-- The queue's settings before the first write (the groups' steps and the wake-up read them).
if not limits_try(task_base(KEYS[1])) then return settings_moving() end
local now = tonumber(ARGV[3])
local retryAt = tonumber(ARGV[5])
if ARGV[8] == '1' then
  local lease = redis.call('ZSCORE', KEYS[2], ARGV[1])
  if lease then redis.call('ZADD', KEYS[10], lease, ARGV[1] .. ':' .. ARGV[2]) end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], F.error, ARGV[4])
redis.call('HDEL', KEYS[1], unpack(ATTEMPT_FIELDS))
redis.call('HINCRBY', KEYS[7], 'failed', 1)
redis.call('HINCRBY', KEYS[8], 'failed', 1)
redis.call('PEXPIRE', KEYS[8], ARGV[7])
group_left(KEYS[1], false)
local attempts, maxAttempts = tonumber(f[3] or 0), tonumber(f[4] or DEFAULT_MAX_ATTEMPTS)
local priority = f[5] or 0
if retryAt < 0 or not attempts or not maxAttempts or attempts >= maxAttempts or not tonumber(priority) then
  bury(KEYS[1], KEYS[5], ARGV[1], now, ARGV[6])
  redis.call('HINCRBY', KEYS[7], 'dead', 1)
  return 'dead'
end
if retryAt > now then
  redis.call('HSET', KEYS[1], F.state, 'scheduled', F.runAt, retryAt)
  redis.call('ZADD', KEYS[4], retryAt, ARGV[1])
  return 'scheduled'
end
-- Retried now: behind the tasks of its priority that are already ready.
local score = ready_score(priority, KEYS[9])
redis.call('HSET', KEYS[1], F.state, 'queued', F.runAt, now)
redis.call('ZADD', KEYS[3], score, member_of(ARGV[1]))
local grouped = group_enter(KEYS[1], KEYS[3], ARGV[1])
-- A grouped task got its token from its group's steps, if it was let into line.
if not grouped then wake_ready(KEYS[6]) end
return 'retry'
