-- release: give a claimed task back unrun (server shutting down, executor full). The attempt
-- is not counted and the task returns to its place at the head of its priority band. Idempotent
-- for its caller: a repeat (its reply lost) finds the task queued under the same token.
-- @include lib_task
-- @include lib_limits
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] the ready set of the task's type  KEYS[4] wake list
-- ARGV[1] id  ARGV[2] owner token
-- Result: 1 when released, 0 when the token is stale.
-- Or a TRYAGAIN error, with nothing written, while the queue's settings are on another node (a
-- Cluster slot moving).
local f = redis.call('HMGET', KEYS[1], F.fence, F.state, F.score)
if f[1] ~= ARGV[2] then
  return 0
end
if f[2] == 'queued' then
  return 1
end
if f[2] ~= 'running' then
  return 0
end
-- The queue's settings before the first write (the groups' steps and the wake-up read them).
if not limits_try(task_base(KEYS[1])) then return settings_moving() end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], F.attempts, -1)
redis.call('HSET', KEYS[1], F.state, 'queued')
redis.call('HDEL', KEYS[1], unpack(ATTEMPT_FIELDS))
redis.call('ZADD', KEYS[3], f[3], member_of(ARGV[1]))
group_left(KEYS[1], true)
wake_ready(KEYS[4])
return 1
