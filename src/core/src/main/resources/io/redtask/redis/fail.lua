-- fail: record a failed attempt for the holder of the current owner token, then either retry
-- the task (now, or at a due time) or move it to the dead set.
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] ready zset  KEYS[4] scheduled zset
-- KEYS[5] dead zset (score = time of death ms)  KEYS[6] wake list  KEYS[7] queue counters hash
-- KEYS[8] this 10-second bucket of the counters (for per-minute rates)  KEYS[9] sequence
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] error message
-- ARGV[5] retry at (ms; -1 = do not retry, dead now)  ARGV[6] keep dead tasks for (ms)
-- ARGV[7] keep the bucket for (ms)
-- Result: "retry" | "scheduled" | "dead", or 0 when the token is stale (nothing changes).
-- @include lib_score
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
local now = tonumber(ARGV[3])
local retryAt = tonumber(ARGV[5])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'error', ARGV[4])
redis.call('HDEL', KEYS[1], 'owner', 'lease')
redis.call('HINCRBY', KEYS[7], 'failed', 1)
redis.call('HINCRBY', KEYS[8], 'failed', 1)
redis.call('PEXPIRE', KEYS[8], ARGV[7])
local attempts = tonumber(redis.call('HGET', KEYS[1], 'attempts'))
local maxAttempts = tonumber(redis.call('HGET', KEYS[1], 'maxAttempts'))
if retryAt < 0 or attempts >= maxAttempts then
  redis.call('HSET', KEYS[1], 'state', 'dead', 'finishedAt', now)
  redis.call('HINCRBY', KEYS[7], 'dead', 1)
  redis.call('ZADD', KEYS[5], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  -- Dead-set entries older than the retention have lost their records: forget them too.
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - tonumber(ARGV[6]))
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
redis.call('LPUSH', KEYS[6], '1')
redis.call('LTRIM', KEYS[6], 0, 63)
return 'retry'
