-- cancel: stop a task that has not finished. A scheduled or queued task never runs; a running
-- one is taken from its worker (the fencing counter moves on, so its result is refused, and its
-- next heartbeat tells the worker to interrupt the handler). Until that handler returns (or the
-- lease it had runs out) the attempt keeps counting against the queue's concurrency limit.
-- @include lib_task
-- @include lib_limits
-- KEYS[1] task hash  KEYS[2] scheduled zset  KEYS[3] active zset
-- KEYS[4] lingering zset (member id:token, score = lease deadline)
-- ARGV[1] id  ARGV[2] now (ms)  ARGV[3] keep cancelled tasks for (ms)  ARGV[4] ready set prefix (+ type)
-- Result: the state the task was in ("scheduled" | "queued" | "running"), or the final state it
-- already had ("succeeded" | "dead" | "cancelled"), or "missing".
local f = redis.call('HMGET', KEYS[1], F.state, F.fence, F.type)
local state = state_of(f[1], f[3])
if not state then
  return 'missing'
end
if state == 'succeeded' or state == 'dead' or state == 'cancelled' then
  return state
end
local ready, older = nil, nil
if f[3] and f[3] ~= '' then
  ready = ARGV[4] .. f[3]
  older = old_ready_of(ready)
  -- The set of the old name too (an earlier version's tasks): both are undeclared keys, read
  -- before anything is written, so a Cluster slot on the move changes nothing half-way.
  if failed(redis.pcall('ZCARD', ready)) or failed(redis.pcall('ZCARD', older)) then
    return redis.error_reply('TRYAGAIN the ready set of task ' .. ARGV[1] .. ' is moving to another node')
  end
end
if batch_unreachable(KEYS[1]) then return batch_tryagain(ARGV[1]) end
if state == 'running' then
  local lease = redis.call('ZSCORE', KEYS[3], ARGV[1])
  if lease then redis.call('ZADD', KEYS[4], lease, ARGV[1] .. ':' .. (f[2] or '')) end
end
if ready then
  redis.call('ZREM', ready, member_of(ARGV[1]))
  -- Stored by an earlier version: the whole id, in the set of the old name (same slot).
  redis.call('ZREM', older, ARGV[1])
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[1], F.fence, 1)
redis.call('HSET', KEYS[1], F.state, 'cancelled', F.finishedAt, ARGV[2])
redis.call('HDEL', KEYS[1], unpack(CANCELLED_DROPS))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
group_cancelled(KEYS[1], ARGV[1], state)
batch_end(KEYS[1], 'cancelled', tonumber(ARGV[2]))
return state
