-- complete: record success for the holder of the current owner token.
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] queue counters hash  KEYS[4] this 10-second
-- bucket of the counters (for per-minute rates)
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] result (JSON)  ARGV[5] keep for (ms)
-- ARGV[6] keep the bucket for (ms)
-- Result: 1 when recorded, 0 when the token is stale (the lease was lost; another worker owns
-- the task or it already finished) - then nothing changes.
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'succeeded', 'result', ARGV[4], 'finishedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'owner', 'lease', 'payload')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('HINCRBY', KEYS[3], 'completed', 1)
redis.call('HINCRBY', KEYS[4], 'completed', 1)
redis.call('PEXPIRE', KEYS[4], ARGV[6])
return 1
