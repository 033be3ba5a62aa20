-- claim: promote due scheduled tasks, then move up to ARGV[3] ready tasks of the types this
-- server can run into the in-flight set with a lease, each under a fresh owner token (the task's
-- fencing counter). Never pops without recording who holds the task, so a crash after this
-- script loses nothing: the lease expires. Honours the queue's settings: paused (claims nothing)
-- and a cluster-wide concurrency limit.
-- @include lib_claim
-- KEYS[1] active zset (score = lease deadline ms)  KEYS[2] scheduled zset  KEYS[3] wake list
-- KEYS[4] queue settings hash (fields: paused, concurrency)  KEYS[5] sequence  KEYS[6] dead zset
-- KEYS[7] lingering zset (stopped attempts whose handlers still run)  KEYS[8] types set
-- KEYS[9] the single ready set of older versions (migrated here)
-- KEYS[10..] the ready sets of the task types this server can run
-- ARGV[1] now (ms)  ARGV[2] lease (ms)  ARGV[3] max tasks  ARGV[4] owner node id
-- ARGV[5] task key prefix ("<prefix>:{q}:task:")  ARGV[6] max scheduled tasks to promote
-- ARGV[7] keep dead tasks for (ms)  ARGV[8] ready set prefix ("<prefix>:{q}:queued:")
-- ARGV[9] '1' on a Redis Cluster (a record not here may be on its way from another node)
-- ARGV[10] the fetcher's id for this claim ('' for none), stored with each task it takes
-- ARGV[11] with an id: the lease deadline (ms) of every try of this claim (its first try's now +
--          lease). When an earlier try took tasks, they are answered again (claim_repeat) and no
--          others are taken; otherwise the claim takes tasks until that deadline
-- ARGV[12] '1' when this try repeats an earlier one of the same id (its reply was lost)
-- Result: { next due time of a scheduled task (ms, or -1), then per claimed task its record as
--           name/value pairs, then - only when the queue's rate limit is used up (nothing more may start)
--           (lib_limits) - the time (ms, caller's clock) the next start is allowed, then what its
--           look under the old names saw (lib_claim: sweep_reply) }
local now = tonumber(ARGV[1])
local prefix = ARGV[5]

local clustered = ARGV[9] == '1'
SWEEP.legacy = true
migrate_legacy(KEYS[9], ARGV[8], KEYS[8], prefix, tonumber(ARGV[6]))
-- The first scheduled task: when it is not due (the usual case) nothing is promoted, and it is the
-- next due time of the reply (nothing below schedules a task), read once.
local first = redis.call('ZRANGE', KEYS[2], '0', '0', 'WITHSCORES')
local promoting = #first == 2 and tonumber(first[2]) <= now
if promoting then
  promote_due(KEYS[2], ARGV[8], KEYS[8], KEYS[6], KEYS[5], prefix, now, ARGV[1], tonumber(ARGV[6]), ARGV[7], clustered)
end

local out = { -1 }
local sets = ready_sets(10)
local claimTag = ARGV[10]
if claimTag == '' then claimTag = nil end
local deadline = now + tonumber(ARGV[2])
if claimTag then deadline = tonumber(ARGV[11]) end
-- Only a repeat can find what an earlier try took: a later try of the fetcher's (ARGV[12]), or any
-- try on a Cluster (whose client may send a claim again unchanged by itself). A first try on one
-- server has nothing to look for.
local repeating = claimTag and (clustered or ARGV[12] == '1')
local max
if repeating and claim_repeat(out, KEYS[1], prefix, ARGV[11], claimTag, ARGV[4], tonumber(ARGV[3])) > 0 then
  -- An earlier try ran: the same tasks again, and nothing more (the caller holds slots for them).
  max = #out - 1
else
  max = claim_room(KEYS[4], KEYS[1], KEYS[7], now, tonumber(ARGV[3]))
  claim_ready(out, sets, KEYS[1], KEYS[6], prefix, max, now, deadline, ARGV[4], ARGV[7], clustered, claimTag)
end

local drained = #out == 1
if not drained and #out - 1 < max then
  -- Fewer than asked for: when nothing of ours is left, the caller goes straight to its blocking
  -- wait (it does not claim again only to find nothing), and must not wake at once for the
  -- tokens of the tasks it just took.
  drained = true
  for _, set in ipairs(sets) do
    local old = old_ready_of(set)
    local left = old and look_old(old)
    if redis.call('ZCARD', set) > 0 or (left and (failed(left) or left > 0)) then
      drained = false
      break
    end
  end
end
if drained then
  -- Nothing claimed, or nothing left: drop stale wake tokens so the caller's blocking wait really
  -- waits. An enqueue after this script pushes a fresh token, so no wake-up is lost.
  redis.call('DEL', KEYS[3])
end
local nxt = first
if promoting then nxt = redis.call('ZRANGE', KEYS[2], '0', '0', 'WITHSCORES') end
if #nxt == 2 then out[1] = tonumber(nxt[2]) end
limits_reply(out, KEYS[4], now)
sweep_reply(out)
return out
