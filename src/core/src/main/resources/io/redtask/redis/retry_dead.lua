-- retry_dead: give dead tasks a new life: back to the ready set with their attempts reset.
-- @include lib_score
-- @include lib_task
-- @include lib_limits
-- @include lib_dead
-- KEYS[1] dead zset  KEYS[2] types set  KEYS[3] wake list  KEYS[4] sequence
-- ARGV[1] task key prefix  ARGV[2] most tasks to move  ARGV[3] one task id, or '' for the oldest ones
-- ARGV[4] now (ms)  ARGV[5] ready set prefix (+ type)
-- Result: the number of tasks moved. A dead record too damaged to run again (no type, a
-- priority that is not a number) stays dead. Or a TRYAGAIN error, with nothing written, while the
-- queue's settings are on another node (a Cluster slot moving).
-- The queue's settings before the first write (the groups' steps and the wake-up read them).
if not limits_try(queue_base(KEYS[1])) then return settings_moving() end
local ids = dead_ids(KEYS[1], tonumber(ARGV[2]), ARGV[3])
local plan = {}
for _, id in ipairs(ids) do
  local f = redis.pcall('HMGET', ARGV[1] .. id, F.state, F.priority, F.type)
  if failed(f) then break end
  if f[3] and f[3] ~= '' and failed(redis.pcall('ZCARD', ARGV[5] .. f[3])) then break end
  if f[1] and batch_unreachable(ARGV[1] .. id) then break end
  table.insert(plan, { id, f })
end
local moved, ungrouped = 0, 0
for _, e in ipairs(plan) do
  local id, f = e[1], e[2]
  local key = ARGV[1] .. id
  if f[1] == 'dead' and tonumber(f[2] or 0) and f[3] and f[3] ~= '' then
    redis.call('ZREM', KEYS[1], id)
    redis.call('PERSIST', key)
    batch_reopen(key)
    local score = ready_score(f[2] or 0, KEYS[4])
    redis.call('HSET', key, F.state, 'queued', F.runAt, ARGV[4])
    redis.call('HDEL', key, F.finishedAt, F.attempts, F.stalls)
    redis.call('ZADD', ARGV[5] .. f[3], score, member_of(id))
    if not group_enter(key, ARGV[5] .. f[3], id) then
      -- A grouped task gets its token from its group's steps, if they let it into line.
      ungrouped = ungrouped + 1
    end
    redis.call('SADD', KEYS[2], f[3])
    moved = moved + 1
  elseif state_of(f[1], f[3]) and f[1] ~= 'dead' then
    -- It was retried another way meanwhile: a stale entry.
    redis.call('ZREM', KEYS[1], id)
  end
end
wake_ready(KEYS[3], ungrouped)
return moved
