-- complete: record success for the holder of the current owner token and, when the worker asks,
-- claim its next ready task in the same round trip (a busy worker then costs one call per task).
-- Idempotent for its caller: when the reply to a completion was lost and the worker sends it
-- again, the task is already succeeded under the same token, nothing changes, and the answer is
-- the same, including the next task that completion claimed (so it does not sit unrun for a lease).
-- @include lib_claim
-- KEYS[1] task hash  KEYS[2] active zset  KEYS[3] queue counters hash  KEYS[4] this 10-second
-- bucket of the counters (for per-minute rates)  KEYS[5] types set  KEYS[6] queue settings hash
-- KEYS[7] scheduled zset (due tasks are promoted first, so a busy queue does not starve them)
-- KEYS[8] sequence  KEYS[9] dead zset  KEYS[10] lingering zset
-- KEYS[11..] the ready sets of the task types this server can run (none when not claiming)
-- ARGV[1] id  ARGV[2] owner token  ARGV[3] now (ms)  ARGV[4] result (JSON)  ARGV[5] keep for (ms)
-- ARGV[6] keep the bucket for (ms)  ARGV[7] '1' to claim the next task, '0' not to
-- ARGV[8] lease (ms)  ARGV[9] owner node id  ARGV[10] task key prefix
-- ARGV[11] max scheduled tasks to promote  ARGV[12] keep dead tasks for (ms)
-- ARGV[13] ready set prefix  ARGV[14] '1' on a Redis Cluster
-- Result: { 0 } when the token is stale (the lease was lost; another worker owns the task or it
-- was cancelled) - then nothing changes; else { 1 } followed by the next task's record as in
-- claim.lua when one was claimed.
local f = redis.call('HMGET', KEYS[1], 'fence', 'state', 'next', 'nextFence')
if f[1] ~= ARGV[2] then
  return { 0 }
end
if f[2] == 'succeeded' then
  local out = { 1 }
  if f[3] then
    local key = ARGV[10] .. f[3]
    local g = redis.pcall('HMGET', key, 'fence', 'state', 'owner')
    if not failed(g) and g[1] == f[4] and g[2] == 'running' and g[3] == ARGV[9] then
      table.insert(out, redis.call('HGETALL', key))
    end
  end
  return out
end
if f[2] ~= 'running' then
  return { 0 }
end
if batch_unreachable(KEYS[1]) then return batch_tryagain(ARGV[1]) end
local now = tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'succeeded', 'result', ARGV[4], 'finishedAt', ARGV[3])
-- An error of an earlier failed attempt would only confuse a reader of a succeeded task.
redis.call('HDEL', KEYS[1], 'owner', 'lease', 'payload', 'error')
redis.call('PEXPIRE', KEYS[1], ARGV[5])
batch_end(KEYS[1], 'succeeded', now)
redis.call('HINCRBY', KEYS[3], 'completed', 1)
redis.call('HINCRBY', KEYS[4], 'completed', 1)
redis.call('PEXPIRE', KEYS[4], ARGV[6])
group_left(KEYS[1], false)
local out = { 1 }
if ARGV[7] == '1' and claim_room(KEYS[6], KEYS[2], KEYS[10], now, 1) > 0 then
  local clustered = ARGV[14] == '1'
  promote_due(KEYS[7], ARGV[13], KEYS[5], KEYS[9], KEYS[8], ARGV[10], now, tonumber(ARGV[11]), ARGV[12], clustered)
  claim_ready(out, ready_sets(11), KEYS[2], KEYS[9], ARGV[10], 1, now, now + tonumber(ARGV[8]), ARGV[9], ARGV[12],
    clustered)
  if #out == 2 then
    -- Remembered, so that a repeat of this completion (its reply lost) hands the same task back.
    local nf = {}
    for i = 1, #out[2], 2 do nf[out[2][i]] = out[2][i + 1] end
    redis.call('HSET', KEYS[1], 'next', nf['id'], 'nextFence', nf['fence'])
  end
end
return out
