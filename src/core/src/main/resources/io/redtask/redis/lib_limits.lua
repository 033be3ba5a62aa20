-- lib_limits: a queue's cluster-wide rate limit and its groups, hooked into the scripts that move
-- tasks in and out of the ready sets and in and out of running (one line each). Included at load
-- time. A queue that has no rate limit and never had a grouped task pays one HMGET of its settings
-- hash per script call and nothing per task.
--
-- Every key is derived from a key of the queue the calling script already uses (they all start
-- with "<prefix>:{q}:"), so they share the queue's hash tag and Cluster slot:
--   <base>config         hash  queue settings: rateLimit, ratePer (ms), groupLimit, grouped ('1'
--                              once a grouped task was stored: the gate of the group steps)
--   <base>rate           zset  the rate limit's window: one member per start, score = Redis time (ms)
--   <base>group:<g>      hash  running (tasks of group g held by workers), heads (in ready sets)
--   <base>gwait:<g>      zset  tasks of group g ready but waiting for their turn; score = ready score
--   <base>gwaiting       set   groups whose gwait set is not empty
--   <base>gwaitn         string how many tasks wait in all gwait sets (they count as ready)
--
-- Rate: a sliding window log on Redis's own clock (TIME), so servers whose clocks disagree still
-- share one limit: a start is allowed while fewer than rateLimit starts lie in the last ratePer ms,
-- so no window of ratePer ms ever holds more. When none is allowed the claim answers how long until
-- the oldest start leaves the window, and the fetcher sleeps that long instead of polling.
--
-- Groups: a grouped task that becomes ready waits in its group's gwait set; at most GROUP_HEADS of
-- a group (and no more than the group limit leaves) stand in the type ready sets at once, each
-- with a fresh sequence number when it is let in. So a group of 10,000 tasks has a handful in line
-- at a time, each one claimed lets its successor in at the back of the line: groups are served in
-- turn and the claim never scans a group's backlog. A group's running count goes down at every way
-- out of running (complete, fail, bury, release, recover, cancel); the hooks run after the
-- calling script's owner-token and state checks, so a repeated call changes nothing twice.
-- @include lib_score
-- @include lib_task

-- Most tasks of one group standing in the ready sets at once.
local GROUP_HEADS = 8

-- The settings read so far in this script call, by queue base (a script may touch one queue only,
-- but the table costs nothing). Emptied at the start of every call (as a function library keeps
-- its values between calls: ScriptLibrary):
-- @per-call LIMITS
local LIMITS = {}


-- The settings of the queue at base, read once per call (paused and concurrency too, for
-- claim_room in lib_claim); nil when they are out of this node's reach (a Cluster slot moving),
-- so that a script can stop before it writes anything.
local function limits_try(base)
  local s = LIMITS[base]
  if not s then
    local f = redis.pcall('HMGET', base .. 'config', 'rateLimit', 'ratePer', 'groupLimit', 'grouped', 'paused',
      'concurrency')
    if failed(f) then return nil end
    s = { rate = tonumber(f[1]), per = tonumber(f[2]), glimit = tonumber(f[3]), grouped = f[4] == '1',
      paused = f[5] == '1', concurrency = f[6] and (tonumber(f[6]) or 0) }
    LIMITS[base] = s
  end
  return s
end

-- The same, for a script whose keys are within reach (a failure is an error, as any call's).
local function limits_of(base)
  return limits_try(base) or redis.call('HMGET', base .. 'config', 'paused')
end

-- The answer of a script whose queue settings are out of this node's reach (limits_try gave nil;
-- a Cluster slot moving): given before its first write, so nothing is half-applied, and the caller
-- tries again, as for any TRYAGAIN.
local function settings_moving()
  return redis.error_reply('TRYAGAIN the settings of this queue are moving to another node')
end

-- Wakes fetchers for n tasks (1 when absent) that became ready in the queue of the wake list
-- `list`, unless the queue is paused: a fetcher woken then would claim nothing (the resume wakes
-- them). Its settings come from this call's read (scripts read them before their first write).
local function wake_ready(list, n)
  if (n or 1) > 0 and not limits_of(queue_base(list)).paused then
    wake(list, n)
  end
end

-- Redis's clock in ms (with microseconds as the fraction): one clock for every server.
local function redis_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end

-- ------------------------------------------------------------------ rate

-- How many tasks may start now as far as the rate limit goes, at most max. When none may, notes
-- in how many ms the next one may (limits_reply answers it).
local function limits_room(config, max)
  local s = limits_of(queue_base(config))
  if not s.rate or not s.per or max <= 0 then
    return max
  end
  local base = queue_base(config)
  local log = base .. 'rate'
  local t = redis_ms()
  s.t = t
  -- A start at x counts while x > t - per.
  redis.call('ZREMRANGEBYSCORE', log, '-inf', t - s.per)
  local used = redis.call('ZCARD', log)
  if used < s.rate then
    -- Counted on by limits_claimed: when the starts of this call fill the window, limits_reply
    -- tells the caller when the next one is allowed.
    s.used = used
    return math.min(max, s.rate - used)
  end
  -- Full: the next start is allowed when the start that makes the window full leaves it.
  local e = redis.call('ZRANGE', log, used - s.rate, used - s.rate, 'WITHSCORES')
  s.tokenIn = math.max(1, math.ceil(tonumber(e[2]) + s.per - t))
  return 0
end

-- ------------------------------------------------------------------ groups

-- One task fewer waits for its group's turn; the counter goes when it reaches 0.
local function uncount_waiting(base)
  if redis.call('DECR', base .. 'gwaitn') <= 0 then
    redis.call('DEL', base .. 'gwaitn')
  end
end

-- Lets tasks of group g from its waiting set into the ready sets while the group has fewer than
-- GROUP_HEADS there and its limit leaves room; keeps the group's counts; wakes fetchers for them
-- unless the queue is paused.
local function group_fill(base, g)
  local s = limits_of(base)
  local gk = base .. 'group:' .. g
  local wk = base .. 'gwait:' .. g
  local h = redis.call('HMGET', gk, 'running', 'heads')
  local running = math.max(0, tonumber(h[1]) or 0)
  local heads = math.max(0, tonumber(h[2]) or 0)
  local room = GROUP_HEADS - heads
  if s.glimit then
    room = math.min(room, s.glimit - running - heads)
  end
  local added = 0
  while room > 0 do
    local e = redis.call('ZPOPMIN', wk)
    if #e == 0 then break end
    uncount_waiting(base)
    local id = e[1]
    local key = base .. 'task:' .. id
    local f = redis.call('HMGET', key, F.state, F.type, F.priority)
    -- A task cancelled (or deleted) while it waited is simply dropped from the waiting set.
    if state_of(f[1], f[2]) == 'queued' and f[2] and f[2] ~= '' and tonumber(f[3] or 0) then
      local score = ready_score(f[3] or 0, base .. 'seq')
      redis.call('ZADD', base .. READY .. f[2], score, member_of(id))
      redis.call('SADD', base .. 'types', f[2])
      heads = heads + 1
      room = room - 1
      added = added + 1
    end
  end
  if redis.call('EXISTS', wk) == 0 then
    redis.call('SREM', base .. 'gwaiting', g)
  end
  if running == 0 and heads == 0 then
    redis.call('DEL', gk)
  else
    redis.call('HSET', gk, 'running', running, 'heads', heads)
  end
  wake_ready(base .. 'wake', added)
end

-- A task was just added to the ready set `ready` (stored, due, retried, revived). When it has a
-- group (g, or its record's), it waits for its group's turn instead, and true is returned: the
-- group's steps wake a fetcher when they let it into line, so its caller pushes no token for it.
local function group_enter(key, ready, id, g)
  local base = task_base(key)
  if g == nil then
    if not limits_of(base).grouped then return end
    g = redis.call('HGET', key, F.group)
    if not g then return end
  end
  local member = member_of(id)
  local score = redis.call('ZSCORE', ready, member)
  redis.call('ZREM', ready, member)
  if redis.call('ZADD', base .. 'gwait:' .. g, score, id) == 1 then
    redis.call('INCR', base .. 'gwaitn')
  end
  redis.call('SADD', base .. 'gwaiting', g)
  group_fill(base, g)
  return true
end

-- A new task was stored in state `state` (lib_add_task): a grouped one marks its queue as
-- grouped (so the other steps look for groups) and, when ready, waits for its group's turn.
local function group_added(key, ready, f, state)
  local g = f[F.group]
  if not g then return end
  local base = task_base(key)
  local s = limits_of(base)
  if not s.grouped then
    redis.call('HSET', base .. 'config', 'grouped', '1')
    s.grouped = true
  end
  if state == 'queued' then
    group_enter(key, ready, f[F.id], g)
  end
end

-- A task left running (its worker's outcome, a release, a recovery). to_ready: it went back to a
-- ready set as it was (released, recovered), so it stands in line for its group again; nil means
-- "look at its state".
local function group_left(key, to_ready)
  local base = task_base(key)
  if not limits_of(base).grouped then return end
  local f = redis.call('HMGET', key, F.group, F.state)
  if not f[1] then return end
  if to_ready == nil then to_ready = f[2] == 'queued' end
  local gk = base .. 'group:' .. f[1]
  redis.call('HINCRBY', gk, 'running', -1)
  if to_ready then
    redis.call('HINCRBY', gk, 'heads', 1)
  end
  group_fill(base, f[1])
end

-- A task was cancelled (or buried as corrupt) in state `was`: it no longer runs, stands in line,
-- or waits for its turn.
local function group_cancelled(key, id, was)
  local base = task_base(key)
  if not limits_of(base).grouped then return end
  local g = redis.call('HGET', key, F.group)
  if not g then return end
  local gk = base .. 'group:' .. g
  if was == 'running' then
    redis.call('HINCRBY', gk, 'running', -1)
  elseif was == 'queued' then
    if redis.call('ZREM', base .. 'gwait:' .. g, id) == 0 then
      redis.call('HINCRBY', gk, 'heads', -1)
    else
      uncount_waiting(base)
    end
  else
    return
  end
  group_fill(base, g)
end

-- ------------------------------------------------------------------ claims

-- A task was just claimed (key, its record as name/value pairs): it takes a place in the rate
-- window, and a grouped one moves from its group's line to its running count, letting the next of
-- its group into line.
local function limits_claimed(key, rec)
  local base = task_base(key)
  local s = limits_of(base)
  if not s.rate and not s.grouped then return end
  local r = {}
  for i = 1, #rec, 2 do r[rec[i]] = rec[i + 1] end
  if s.rate and s.t then
    redis.call('ZADD', base .. 'rate', s.t, r[F.id] .. ':' .. (r[F.fence] or ''))
    if s.used then s.used = s.used + 1 end
    -- When it took its place, on the clock the limit is kept on (what an operator can check the
    -- limit against: the servers' own clocks may disagree).
    redis.call('HSET', key, F.rateAt, string.format('%.3f', s.t))
  end
  if s.grouped and r[F.group] then
    local gk = base .. 'group:' .. r[F.group]
    redis.call('HINCRBY', gk, 'heads', -1)
    redis.call('HINCRBY', gk, 'running', 1)
    group_fill(base, r[F.group])
  end
end

-- Appends to a claim's reply when the rate limit held it back: the caller's time (now, ms) at
-- which the next start is allowed, so an idle fetcher sleeps until then.
local function limits_reply(out, config, now)
  local base = queue_base(config)
  local s = limits_of(base)
  if not s.tokenIn and s.rate and s.per and s.t and s.used and s.used >= s.rate then
    -- This call's starts filled the window: the next start is allowed when its oldest leaves. So
    -- the caller sleeps until then rather than wait for a wake-up that may not come.
    local first = redis.call('ZRANGE', base .. 'rate', 0, 0, 'WITHSCORES')
    local oldest = s.t
    if #first == 2 then oldest = tonumber(first[2]) end
    s.tokenIn = math.max(1, math.ceil(oldest + s.per - s.t))
  end
  if s.tokenIn then
    table.insert(out, now + s.tokenIn)
  end
end
