-- purge_dead: delete dead tasks for good, oldest first, a bounded number per call.
-- KEYS[1] dead zset
-- ARGV[1] task key prefix  ARGV[2] most tasks to delete  ARGV[3] one task id, or '' for the oldest ones
-- Result: the number of tasks deleted.
-- @include lib_fields
-- @include lib_dead
local ids = dead_ids(KEYS[1], tonumber(ARGV[2]), ARGV[3])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[1] .. id
  if redis.call('HGET', key, F.state) == 'dead' then
    redis.call('DEL', key)
  end
end
return #ids
