-- release: give a claimed task back unrun (server shutting down, executor full). The attempt
-- is not counted and the task returns to its place at the head of its priority band.
-- @include lib_task
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] ready zset  KEYS[4] wake list
-- ARGV[1] id  ARGV[2] owner token
-- Result: 1 when released, 0 when the token is stale.
if not holds(KEYS[1], ARGV[2]) then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'attempts', -1)
redis.call('HSET', KEYS[1], 'state', 'queued')
redis.call('HDEL', KEYS[1], 'owner', 'lease')
redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[1], 'score'), ARGV[1])
wake(KEYS[4])
return 1
