-- complete: record success for the holder of the current owner token and, when the worker asks,
-- claim its next ready task in the same round trip (a busy worker then costs one call per task).
-- @include lib_claim
-- @include lib_task
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] queue counters hash  KEYS[4] this 10-second
-- bucket of the counters (for per-minute rates)  KEYS[5] ready zset  KEYS[6] queue settings hash
-- KEYS[7] scheduled zset (due tasks are promoted first, so a busy queue does not starve them)
-- KEYS[8] sequence
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] result (JSON)  ARGV[5] keep for (ms)
-- ARGV[6] keep the bucket for (ms)  ARGV[7] '1' to claim the next task, '0' not to
-- ARGV[8] lease (ms)  ARGV[9] owner node id  ARGV[10] task key prefix
-- ARGV[11] max scheduled tasks to promote
-- Result: { 0 } when the token is stale (the lease was lost; another worker owns the task or it
-- was cancelled) - then nothing changes; else { 1 } followed by the next task's record as in
-- claim.lua when one was claimed.
if not holds(KEYS[1], ARGV[2]) then
  return { 0 }
end
local now = tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'succeeded', 'result', ARGV[4], 'finishedAt', ARGV[3])
-- An error of an earlier failed attempt would only confuse a reader of a succeeded task.
redis.call('HDEL', KEYS[1], 'owner', 'lease', 'payload', 'error')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('HINCRBY', KEYS[3], 'completed', 1)
redis.call('HINCRBY', KEYS[4], 'completed', 1)
redis.call('PEXPIRE', KEYS[4], ARGV[6])
local out = { 1 }
if ARGV[7] == '1' and claim_room(KEYS[6], KEYS[2], 1) > 0 then
  promote_due(KEYS[7], KEYS[5], KEYS[8], ARGV[10], now, tonumber(ARGV[11]))
  local ids = redis.call('ZPOPMIN', KEYS[5], 1)
  if #ids == 2 then
    claim_task(out, ids[1], ARGV[10] .. ids[1], KEYS[2], now, now + tonumber(ARGV[8]), ARGV[9])
  end
end
return out
