-- claim: promote due scheduled tasks, then move up to ARGV[3] ready tasks of the types this
-- server can run into the in-flight set with a lease, each under a fresh owner token (the task's
-- fencing counter). Never pops without recording who holds the task, so a crash after this
-- script loses nothing: the lease expires. Honours the queue's settings: paused (claims nothing)
-- and a cluster-wide concurrency limit.
-- @include lib_claim
-- KEYS[1] ready zset  KEYS[2] active zset (score = lease deadline ms)  KEYS[3] scheduled zset
-- KEYS[4] wake list  KEYS[5] queue settings hash (fields: paused, concurrency)  KEYS[6] sequence
-- KEYS[7] dead zset  KEYS[8] lingering zset (stopped attempts whose handlers still run)
-- ARGV[1] now (ms)  ARGV[2] lease (ms)  ARGV[3] max tasks  ARGV[4] owner node id
-- ARGV[5] task key prefix ("<prefix>:{q}:task:")  ARGV[6] max scheduled tasks to promote
-- ARGV[7] keep dead tasks for (ms)  ARGV[8..] the task types this server can run
-- Result: { next due time of a scheduled task (ms, or -1), then per claimed task its record as
--           name/value pairs (HGETALL) }
local now = tonumber(ARGV[1])
local prefix = ARGV[5]

promote_due(KEYS[3], KEYS[1], KEYS[7], KEYS[6], prefix, now, tonumber(ARGV[6]), ARGV[7])

local out = { -1 }
local max = claim_room(KEYS[5], KEYS[2], KEYS[8], now, tonumber(ARGV[3]))
claim_ready(out, KEYS[1], KEYS[2], KEYS[7], prefix, max, type_set(8), now, now + tonumber(ARGV[2]), ARGV[4], ARGV[7])

if #out == 1 then
  -- Nothing claimed: drop stale wake tokens so the caller's blocking wait really waits. An
  -- enqueue after this script pushes a fresh token, so no wake-up is lost.
  redis.call('DEL', KEYS[4])
end
local nxt = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
if #nxt == 2 then out[1] = tonumber(nxt[2]) end
return out
