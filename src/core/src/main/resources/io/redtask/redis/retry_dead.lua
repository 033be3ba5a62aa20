-- retry_dead: give dead tasks a new life: back to the ready set with their attempts reset.
-- @include lib_score
-- @include lib_task
-- @include lib_dead
-- KEYS[1] dead zset  KEYS[2] ready zset  KEYS[3] wake list  KEYS[4] sequence
-- ARGV[1] task key prefix  ARGV[2] most tasks to move  ARGV[3] one task id, or '' for the oldest ones
-- ARGV[4] now (ms)
-- Result: the number of tasks moved.
local ids = dead_ids(KEYS[1], tonumber(ARGV[2]), ARGV[3])
local moved = 0
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'state') == 'dead' then
    redis.call('PERSIST', key)
    local score = ready_score(redis.call('HGET', key, 'priority'), KEYS[4])
    redis.call('HSET', key, 'state', 'queued', 'attempts', 0, 'stalls', 0, 'runAt', ARGV[4], 'score', score)
    redis.call('HDEL', key, 'finishedAt')
    redis.call('ZADD', KEYS[2], score, id)
    moved = moved + 1
  end
end
if moved > 0 then wake(KEYS[3], moved) end
return moved
