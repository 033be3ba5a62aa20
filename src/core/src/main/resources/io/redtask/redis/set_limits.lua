-- set_limits: changes a queue's rate limit or group concurrency (settings hash fields rateLimit,
-- ratePer, groupLimit) and wakes idle fetchers so they look again at once: a raised limit takes
-- effect now, not at the end of a fetcher's wait. Groups held back by a lower group limit are let
-- in by refill_groups.
-- @include lib_task
-- KEYS[1] queue settings hash  KEYS[2] wake list
-- ARGV: name/value pairs; an empty value removes the field
-- Result: 1
for i = 1, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
-- None while the queue is paused: a fetcher woken would claim nothing (the resume wakes them).
if redis.call('HGET', KEYS[1], 'paused') ~= '1' then wake(KEYS[2], 64) end
return 1
