-- schedule_save: create or change a recurring schedule, in one atomic step. All schedules live
-- in one hash and one zset (one cluster slot), so a schedule moved to another queue cannot be
-- left behind in the old one. Saving the same definition again (as every server does when it
-- starts) keeps the next slot, so a slot missed while all servers were down is still seen as
-- missed; a changed definition starts from its new next slot.
-- KEYS[1] definitions hash (name -> definition JSON)  KEYS[2] next-slot zset (name -> ms)
-- ARGV[1] name  ARGV[2] definition JSON  ARGV[3] next slot (ms)
-- Result: "unchanged" | "saved"
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old == ARGV[2] and redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  return 'unchanged'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 'saved'
