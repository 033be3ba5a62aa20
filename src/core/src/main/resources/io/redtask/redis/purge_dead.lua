-- purge_dead: delete dead tasks for good, oldest first, a bounded number per call.
-- KEYS[1] dead zset
-- ARGV[1] task key prefix  ARGV[2] most tasks to delete  ARGV[3] one task id, or '' for the oldest ones
-- Result: the number of tasks deleted.
local ids
if ARGV[3] ~= '' then
  ids = {}
  if redis.call('ZSCORE', KEYS[1], ARGV[3]) then ids = { ARGV[3] } end
else
  ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)
end
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[1] .. id
  if redis.call('HGET', key, 'state') == 'dead' then
    redis.call('DEL', key)
  end
end
return #ids
