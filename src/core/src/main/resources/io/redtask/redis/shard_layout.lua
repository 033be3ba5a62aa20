-- shard_layout: records the shards of a queue (redtask.queue.<q>.shards) in its shard 0's
-- settings hash, when the layout recorded there is still the one the caller read: two servers
-- starting at once cannot write two layouts.
-- KEYS[1] settings hash of the queue (its shard 0)
-- ARGV[1] the number of shards the caller read, '' for none  ARGV[2] the new number
-- ARGV[3] the names of shards 1..N-1, comma-separated
-- Result: 1 when written, 0 when the recorded layout had changed (read it again)
local current = redis.call('HGET', KEYS[1], 'shards') or ''
if current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'shards', ARGV[2], 'shardNames', ARGV[3])
return 1
