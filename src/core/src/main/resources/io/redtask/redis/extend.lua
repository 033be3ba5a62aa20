-- extend: the heartbeat. Pushes the leases of the tasks a worker holds in one queue forward,
-- each only if the worker still holds it under the token it claimed it with.
-- @include lib_task
-- KEYS[1] active zset
-- ARGV[1] task key prefix  ARGV[2] new lease deadline (ms), then pairs of id, owner token
-- Result: per task, 1 when extended, 0 when the token is stale or the task was cancelled
-- (the worker should stop: its result will be refused).
local out = {}
for i = 3, #ARGV, 2 do
  local key = ARGV[1] .. ARGV[i]
  if holds(key, ARGV[i + 1]) then
    redis.call('HSET', key, F.lease, ARGV[2])
    redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[i])
    table.insert(out, 1)
  else
    table.insert(out, 0)
  end
end
return out
