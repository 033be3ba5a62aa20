-- lib_claim: how ready tasks are handed to a worker, shared by claim and complete (which claims
-- the worker's next task in the same round trip). Included at load time.
-- Ready tasks wait in one sorted set per task type ("<prefix>:{q}:queued:<type>", lib_fields:
-- READY), all scored on one scale (priority band + a queue-wide sequence), so a server claims only the types it has
-- handlers for, in the queue's order across them: during a rolling deploy that adds a type, old
-- servers neither bury its tasks nor get stuck behind them.
-- @include lib_score
-- @include lib_task
-- @include lib_limits

-- Whether this call looks for tasks that earlier versions left in the ready sets of the old name
-- (a type's "ready:<type>": move_old_ready), whether it did look (SWEEP.looked: a claim with no
-- room looks at nothing) and whether it found any there (SWEEP.found); the caller's reply says
-- which (sweep_reply). A fetcher's claim always looks; a completion's next claim only when its
-- caller asks (SWEEP.legacy = true): while the last look found tasks there, and about once a second
-- besides (RedisTaskStore, LegacySweeps). Looking in every completion was a tenth of its commands,
-- and such tasks only come from earlier versions. (The queue's single ready set of older versions
-- is moved by fetchers' claims only: migrate_legacy.)
-- @per-call SWEEP
local SWEEP = {}

-- Appends to a reply what this call's look under the old names saw: 'old' when it found tasks
-- there, 'none' when it found none, nothing when it did not look.
local function sweep_reply(out)
  if SWEEP.found then
    out[#out + 1] = 'old'
  elseif SWEEP.looked then
    out[#out + 1] = 'none'
  end
end

-- Moves up to max scheduled tasks whose time has come to their type's ready set, behind the
-- tasks of their priority that were ready before them. A record whose priority or type is
-- damaged is buried as corrupt. One that is not here is left where it is: in a cluster whose slot
-- is moving, the record may still be on the other node, and dropping its id would lose the task.
-- Every key is read (pcall) before anything is written. nowText is now as the caller's argument
-- spells it (a number passed to redis.call is spelled anew with sprintf).
local function promote_due(scheduled, readyPrefix, types, dead, seq, prefix, now, nowText, max, keepDead, clustered)
  local due = redis.call('ZRANGEBYSCORE', scheduled, '-inf', nowText, 'LIMIT', '0', count_text(max))
  local plan = {}
  for _, id in ipairs(due) do
    local f = redis.pcall('HMGET', prefix .. id, F.priority, F.type)
    if failed(f) then break end
    if f[2] and f[2] ~= '' and failed(redis.pcall('ZCARD', readyPrefix .. f[2])) then break end
    if f[1] or f[2] or redis.call('EXISTS', prefix .. id) == 1 then
      plan[#plan + 1] = { id, f }
    elseif not clustered then
      -- On one server a record that is not here is gone for good (deleted by hand).
      plan[#plan + 1] = { id, 'gone' }
    end
  end
  for _, e in ipairs(plan) do
    local id, f = e[1], e[2]
    local key = prefix .. id
    redis.call('ZREM', scheduled, id)
    if f == 'gone' then
      -- dropped
    elseif tonumber(f[1] or 0) and f[2] and f[2] ~= '' then
      local score = ready_score(f[1] or 0, seq)
      redis.call('HSET', key, F.state, 'queued')
      redis.call('ZADD', readyPrefix .. f[2], score, member_of(id))
      redis.call('SADD', types, f[2])
      group_enter(key, readyPrefix .. f[2], id)
    else
      local field = 'priority'
      if tonumber(f[1] or 0) then field = 'type' end
      bury_corrupt(key, dead, id, now, keepDead, field)
    end
  end
end

-- Whether the ready set of the old name `old` holds tasks: its EXISTS reply (an error reply when
-- it is out of this node's reach), noted in SWEEP when it could be read.
local function look_old(old)
  local exists = redis.pcall('EXISTS', old)
  if not failed(exists) then
    SWEEP.looked = true
    if exists > 0 then SWEEP.found = true end
  end
  return exists
end

-- Tasks an older RedTask left in the queue's single ready set ("<prefix>:{q}:ready") move to
-- their type's ready set, keeping their scores, a bounded number per call that looks (SWEEP;
-- nothing to do, and one EXISTS, once the old set is empty).
local function migrate_legacy(legacy, readyPrefix, types, prefix, max)
  if not SWEEP.legacy or redis.call('EXISTS', legacy) == 0 then
    return
  end
  local old = redis.call('ZRANGE', legacy, 0, max - 1, 'WITHSCORES')
  local plan = {}
  for i = 1, #old, 2 do
    local t = redis.pcall('HGET', prefix .. old[i], F.type)
    if failed(t) then break end
    if t and failed(redis.pcall('ZCARD', readyPrefix .. t)) then break end
    plan[#plan + 1] = { old[i], old[i + 1], t }
  end
  for _, e in ipairs(plan) do
    redis.call('ZREM', legacy, e[1])
    if e[3] then
      redis.call('ZADD', readyPrefix .. e[3], e[2], member_of(e[1]))
      redis.call('SADD', types, e[3])
    end
  end
end

-- Tasks an earlier version left in the ready set of the old name for set's type ("ready:<type>",
-- whole ids) move to set (READY, lib_fields), keeping their scores, up to max per call that looks
-- (SWEEP): a claim then takes them in the queue's order with the rest. One EXISTS once the old set
-- is empty. During
-- a rolling deploy servers of an earlier version still add to the old set and claim from it, and
-- never see the new one: they leave alone the tasks this version stores.
local function move_old_ready(set, max)
  if not SWEEP.legacy then return end
  local old = old_ready_of(set)
  if not old then return end
  -- Not a declared key: while a Cluster slot moves it may be on the other node already. The
  -- tasks then stay where they are until a later claim, which loses nothing.
  local exists = look_old(old)
  if failed(exists) or exists == 0 then return end
  local r = redis.call('ZRANGE', old, 0, max - 1, 'WITHSCORES')
  if #r == 0 then return end
  local moving, ids = {}, {}
  for i = 1, #r, 2 do
    moving[#moving + 1] = r[i + 1]
    moving[#moving + 1] = member_of(r[i])
    ids[#ids + 1] = r[i]
  end
  redis.call('ZADD', set, unpack(moving))
  redis.call('ZREM', old, unpack(ids))
end

-- How many tasks may be claimed now, at most max: none while the queue is paused, and no more
-- than its cluster-wide concurrency limit leaves. Attempts that were stopped (timed out,
-- cancelled) but whose handlers have not returned yet still count, until their lingering
-- entry expires with the lease it had.
local function claim_room(config, active, lingering, now, max)
  local settings = limits_of(queue_base(config))
  if settings.paused then
    return 0
  end
  max = limits_room(config, max)
  if settings.concurrency then
    redis.call('ZREMRANGEBYSCORE', lingering, '-inf', now)
    local busy = redis.call('ZCARD', active) + redis.call('ZCARD', lingering)
    return math.min(max, settings.concurrency - busy)
  end
  return max
end

-- The fields a claim reads: the first (type) must be there; the next eight may be absent (at
-- their defaults, lib_fields) but must be numbers when present. The claim answers all of them
-- (with the new attempt and fence), the payload joined from its parts, and the id: what a worker
-- needs. trace is for the worker's span, group for the group limits (lib_limits); createdAt
-- stands for runAt when that is absent (and the time in the id for createdAt: TaskRecord).
local CLAIM_FIELDS = { F.type, F.attempts, F.maxAttempts, F.fence, F.timeoutMs, F.backoffBase, F.backoffCap, F.runAt,
  F.createdAt, F.idemKey, F.trace, F.group }
local CHECKED_FIELDS = 9
-- Where claim_read puts each of them, and which part of a payload (lib_fields) a field holds.
local CLAIM_AT = {}
for i, name in ipairs(CLAIM_FIELDS) do
  CLAIM_AT[name] = i
end
-- claim_read starts from a row of 12 absent values, one per field.
assert(#CLAIM_FIELDS == 12, 'claim_read needs as many absent values as CLAIM_FIELDS has fields')
local PART_AT = {}
for k, name in ipairs(PAYLOAD_FIELDS) do
  PART_AT[name] = k
end

-- What a claim needs of the record at key: the values of CLAIM_FIELDS by position (false when
-- absent) and the payload joined from its parts (nil when there is none); or the error reply when
-- the key is out of this node's reach. One HGETALL: a waiting record holds a handful of fields,
-- where an HMGET of every field a claim may need named 28 (each one an argument Redis makes an
-- object of, and a reply value Lua makes a string or false of), most of them absent.
local function claim_read(key)
  local all = redis.pcall('HGETALL', key)
  if failed(all) then return all end
  -- Each field straight to its place (no table of the whole record first: one table less per
  -- task claimed).
  -- As many as CLAIM_FIELDS (one more would read nil, which is as absent as false).
  local f = { false, false, false, false, false, false, false, false, false, false, false, false }
  local parts, state
  for i = 1, #all, 2 do
    local name = all[i]
    local at = CLAIM_AT[name]
    if at then
      f[at] = all[i + 1]
    elseif name == F.state then
      state = all[i + 1]
    else
      local k = PART_AT[name]
      if k then
        if not parts then parts = {} end
        parts[k] = all[i + 1]
      end
    end
  end
  local payload = parts and parts[1]
  if payload and parts[2] then
    local joined = { payload }
    for k = 2, PAYLOAD_CHUNKS do
      local part = parts[k]
      if not part then break end
      joined[k] = part
    end
    payload = table.concat(joined)
  end
  return f, payload, state
end

-- The first field (as NAME_OF names it) of a record that cannot be run, or nil when it can.
local function corrupt_field(f)
  if not f[1] or f[1] == '' then return 'type' end
  for i = 2, CHECKED_FIELDS do
    if f[i] and not tonumber(f[i]) then return NAME_OF[CLAIM_FIELDS[i]] end
  end
  return nil
end

-- What a claim answers for one task (f, payload: what claim_read read): the fields a worker needs as
-- name/value pairs (read by the Java codec TaskRecord), absent ones left out. The id and the
-- fence come second and third (complete.lua reads them there).
local function claimed_record(id, f, payload, attempts, fence)
  local r = { F.id, id, F.attempts, attempts, F.fence, fence }
  for i = 1, #CLAIM_FIELDS do
    if i ~= 2 and i ~= 4 and f[i] then
      r[#r + 1] = CLAIM_FIELDS[i]
      r[#r + 1] = f[i]
    end
  end
  if payload then
    r[#r + 1] = F.payload
    r[#r + 1] = payload
  end
  return r
end

-- The record of a task this worker holds already, as claimed_record answered it.
local function held_record(key, id)
  local f, payload = claim_read(key)
  if failed(f) then error(f) end -- the reply's own error (TRYAGAIN, ...), as redis.call raises it
  return claimed_record(id, f, payload, tonumber(f[2]) or 0, tonumber(f[4]) or 0)
end

-- A repeat of a fetcher's claim (its reply lost: Redis restarting, a connection cut or slow; or
-- the client sending it again by itself, as Jedis's Cluster client does after a timeout): the
-- tasks an earlier try of the claim took, still running for owner under the fence that try gave
-- them, are answered again (held_record) instead of waiting for their leases to run out. They are
-- the tasks whose lease ends at leaseText (every try of one claim gives the same deadline, and
-- nothing renews a lease its server never heard of) and whose F.claim names claimTag with their
-- current fence. Appends at most max of their records to out, in the order they were taken (their
-- ready scores); returns how many. A record out of reach (a Cluster slot moving) is left to its
-- lease.
local function claim_repeat(out, active, prefix, leaseText, claimTag, owner, max)
  local held = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', active, leaseText, leaseText)) do
    local key = prefix .. id
    local g = redis.pcall('HMGET', key, F.claim, F.fence, F.state, F.owner, F.score)
    if not failed(g) and g[1] and g[3] == 'running' and g[4] == owner and g[1] == claimTag .. '/' .. (g[2] or '') then
      held[#held + 1] = { tonumber(g[5]) or 0, key, id }
    end
  end
  table.sort(held, function(a, b) return a[1] < b[1] end)
  local n = math.min(#held, max)
  for i = 1, n do
    out[#out + 1] = held_record(held[i][2], held[i][3])
  end
  return n
end

-- Claims up to max ready tasks from the given ready sets (one per accepted type), best score
-- first across them, for owner until lease, and appends each one's record (claimed_record) to
-- out. What an earlier version left in a set of the old name moves over first (move_old_ready).
-- Every record is read (pcall) before anything is written; a corrupt one is buried with the field
-- named; one that ended meanwhile (a state other than queued) is only taken out of line; an id
-- whose record is not here is dropped on one server (deleted by hand) but left alone in a cluster
-- (whose slot may be moving: the record may still be on the other node).
-- claimTag (a fetcher's claim id, or nil) is stored with each task's new fence (F.claim,
-- "<claimTag>/<fence>"), so that a repeat of the claim finds what its first try took
-- (claim_repeat).
-- Returns how many it claimed.
local function claim_ready(out, readySets, active, dead, prefix, max, now, lease, owner, keepDead, clustered, claimTag)
  if max <= 0 then
    return 0
  end
  local idq = id_queue(active)
  local candidates = {}
  for _, set in ipairs(readySets) do
    move_old_ready(set, max)
    local r = redis.call('ZRANGE', set, '0', count_text(max - 1), 'WITHSCORES')
    for i = 1, #r, 2 do
      -- { id, score, set, score as stored, member }
      candidates[#candidates + 1] = { idq .. r[i], tonumber(r[i + 1]), set, r[i + 1], r[i] }
    end
  end
  -- One set comes in order already.
  if #readySets > 1 then
    table.sort(candidates, function(a, b) return a[2] < b[2] end)
  end
  -- Whether claims must be counted against a rate limit or a group's turn (lib_limits), once.
  local limited = limits_of(queue_base(active))
  limited = limited.rate or limited.grouped
  -- The times as text once: Lua spells a number anew (sprintf) for every command it is passed to.
  -- Whole digits, as lib_score spells scores (tostring would round past 14 digits).
  local nowText, leaseText = string.format('%.0f', now), string.format('%.0f', lease)
  local plan = {}
  local n = 0
  for _, c in ipairs(candidates) do
    if n >= max then break end
    local key = prefix .. c[1]
    local f, payload, state = claim_read(key)
    if failed(f) then break end
    local bad = corrupt_field(f)
    if state and state ~= 'queued' then
      -- Ended or taken another way while its id stayed in line (a server of an earlier version
      -- cancels a task in the ready set of the old name only): it is only taken out of line.
      plan[#plan + 1] = { c, 'stale' }
    elseif bad == 'type' and not f[1] and redis.call('EXISTS', key) == 0 then
      if not clustered then
        plan[#plan + 1] = { c, 'gone' }
      end
    elseif bad then
      plan[#plan + 1] = { c, 'corrupt', bad }
    else
      plan[#plan + 1] = { c, 'claim', f, payload }
      n = n + 1
    end
  end
  -- One ZREM per ready set and one ZADD to the in-flight set for all of them, not one per task.
  local leaving = {}
  local leases = {}
  for _, e in ipairs(plan) do
    local id, set = e[1][1], e[1][3]
    local key = prefix .. id
    if not leaving[set] then leaving[set] = {} end
    leaving[set][#leaving[set] + 1] = e[1][5]
    if e[2] == 'claim' then
      local f = e[3]
      local attempts, fence = (tonumber(f[2]) or 0) + 1, (tonumber(f[4]) or 0) + 1
      -- The score it had in its ready set: where a release or a recovery puts it back (lib_fields:
      -- a task waiting in a ready set does not store it; the set holds it).
      if claimTag then
        redis.call('HSET', key, F.attempts, count_text(attempts), F.fence, count_text(fence), F.state, 'running',
          F.startedAt, nowText, F.owner, owner, F.lease, leaseText, F.score, e[1][4],
          F.claim, claimTag .. '/' .. count_text(fence))
      else
        redis.call('HSET', key, F.attempts, count_text(attempts), F.fence, count_text(fence), F.state, 'running',
          F.startedAt, nowText, F.owner, owner, F.lease, leaseText, F.score, e[1][4])
      end
      leases[#leases + 1] = leaseText
      leases[#leases + 1] = id
      out[#out + 1] = claimed_record(id, f, e[4], attempts, fence)
      if limited then limits_claimed(key, out[#out]) end
    elseif e[2] == 'corrupt' then
      bury_corrupt(key, dead, id, now, keepDead, e[3])
      group_cancelled(key, id, 'queued')
    end
  end
  for set, ids in pairs(leaving) do
    redis.call('ZREM', set, unpack(ids))
  end
  if #leases > 0 then
    redis.call('ZADD', active, unpack(leases))
  end
  return n
end

-- The ready sets a claim takes from: KEYS[first] to the end, one per accepted type.
local function ready_sets(first)
  local sets = {}
  for i = first, #KEYS do
    sets[#sets + 1] = KEYS[i]
  end
  return sets
end
