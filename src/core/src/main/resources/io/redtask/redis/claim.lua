-- claim: promote due scheduled tasks, then move up to ARGV[3] ready tasks into the in-flight set
-- with a lease, each under a fresh owner token (the task's fencing counter). Never pops without
-- recording who holds the task, so a crash after this script loses nothing: the lease expires.
-- Honours the queue's settings: paused (claims nothing) and a cluster-wide concurrency limit.
-- KEYS[1] ready zset  KEYS[2] active zset (score = lease deadline ms)  KEYS[3] scheduled zset
-- KEYS[4] wake list  KEYS[5] queue settings hash (fields: paused, concurrency)
-- ARGV[1] now (ms)  ARGV[2] lease (ms)  ARGV[3] max tasks  ARGV[4] owner node id
-- ARGV[5] task key prefix ("<prefix>:{q}:task:")  ARGV[6] max scheduled tasks to promote
-- Result: { next due time of a scheduled task (ms, or -1), then per claimed task:
--           id, type, payload, attempt, token, maxAttempts, timeoutMs, idemKey, backoffBase, backoffCap,
--           runAt (when it became due, ms) }
local now = tonumber(ARGV[1])
local lease = now + tonumber(ARGV[2])
local prefix = ARGV[5]

local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, tonumber(ARGV[6]))
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[3], id)
  local key = prefix .. id
  local score = redis.call('HGET', key, 'score')
  if score then
    redis.call('HSET', key, 'state', 'queued')
    redis.call('ZADD', KEYS[1], score, id)
  end
end

local out = { -1 }
local max = tonumber(ARGV[3])
local settings = redis.call('HMGET', KEYS[5], 'paused', 'concurrency')
if settings[1] == '1' then
  max = 0
elseif settings[2] then
  max = math.min(max, tonumber(settings[2]) - redis.call('ZCARD', KEYS[2]))
end

if max > 0 then
  local ids = redis.call('ZPOPMIN', KEYS[1], max)
  for i = 1, #ids, 2 do
    local id = ids[i]
    local key = prefix .. id
    -- A ready entry whose record is gone (expired or purged) is dropped, not run blind.
    if redis.call('EXISTS', key) == 1 then
      local attempt = redis.call('HINCRBY', key, 'attempts', 1)
      local token = redis.call('HINCRBY', key, 'fence', 1)
      redis.call('HSET', key, 'state', 'running', 'startedAt', now, 'owner', ARGV[4], 'lease', lease)
      redis.call('ZADD', KEYS[2], lease, id)
      local f = redis.call('HMGET', key, 'type', 'payload', 'maxAttempts', 'timeoutMs', 'idemKey',
        'backoffBase', 'backoffCap', 'runAt')
      table.insert(out, id)
      table.insert(out, f[1])
      table.insert(out, f[2])
      table.insert(out, attempt)
      table.insert(out, token)
      table.insert(out, f[3])
      table.insert(out, f[4] or '0')
      table.insert(out, f[5] or '')
      table.insert(out, f[6] or '')
      table.insert(out, f[7] or '')
      table.insert(out, f[8] or ARGV[1])
    end
  end
end

if #out == 1 then
  -- Nothing claimed: drop stale wake tokens so the caller's blocking wait really waits. An
  -- enqueue after this script pushes a fresh token, so no wake-up is lost.
  redis.call('DEL', KEYS[4])
end
local nxt = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #nxt == 2 then out[1] = tonumber(nxt[2]) end
return out
