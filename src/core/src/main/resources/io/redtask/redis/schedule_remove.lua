-- schedule_remove: delete a recurring schedule (tasks it already created are not touched).
-- KEYS[1] definitions hash  KEYS[2] next-slot zset
-- ARGV[1] name
-- Result: 1 when it existed, 0 otherwise.
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
