-- fail: record a failed attempt for the holder of the current owner token, then either retry
-- the task (now, or at a due time) or move it to the dead set.
-- @include lib_score
-- @include lib_task
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] ready zset  KEYS[4] scheduled zset
-- KEYS[5] dead zset (score = time of death ms)  KEYS[6] wake list  KEYS[7] queue counters hash
-- KEYS[8] this 10-second bucket of the counters (for per-minute rates)  KEYS[9] sequence
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] error message
-- ARGV[5] retry at (ms; -1 = do not retry, dead now)  ARGV[6] keep dead tasks for (ms)
-- ARGV[7] keep the bucket for (ms)
-- Result: "retry" | "scheduled" | "dead", or "stale" when the token is stale (nothing changes).
if not holds(KEYS[1], ARGV[2]) then
  return 'stale'
end
local now = tonumber(ARGV[3])
local retryAt = tonumber(ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'error', ARGV[4])
redis.call('HDEL', KEYS[1], 'owner', 'lease')
redis.call('HINCRBY', KEYS[7], 'failed', 1)
redis.call('HINCRBY', KEYS[8], 'failed', 1)
redis.call('PEXPIRE', KEYS[8], ARGV[7])
local counts = redis.call('HMGET', KEYS[1], 'attempts', 'maxAttempts')
if retryAt < 0 or tonumber(counts[1]) >= tonumber(counts[2]) then
  bury(KEYS[1], KEYS[5], ARGV[1], now, ARGV[6])
  redis.call('HINCRBY', KEYS[7], 'dead', 1)
  return 'dead'
end
if retryAt > now then
  redis.call('HSET', KEYS[1], 'state', 'scheduled', 'runAt', retryAt)
  redis.call('ZADD', KEYS[4], retryAt, ARGV[1])
  return 'scheduled'
end
-- Retried now: behind the tasks of its priority that are already ready.
local score = ready_score(redis.call('HGET', KEYS[1], 'priority'), KEYS[9])
redis.call('HSET', KEYS[1], 'state', 'queued', 'runAt', now, 'score', score)
redis.call('ZADD', KEYS[3], score, ARGV[1])
wake(KEYS[6])
return 'retry'
