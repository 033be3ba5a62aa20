-- extend: push a held task's lease forward (the heartbeat), only for the current owner token.
-- KEYS[1] task hash  KEYS[2] active zset
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] new lease deadline (ms)
-- Result: 1 when extended, 0 when the token is stale (the caller lost the task).
if redis.call('HGET', KEYS[1], 'fence') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
redis.call('HSET', KEYS[1], 'lease', ARGV[3])
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
return 1
