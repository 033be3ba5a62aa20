-- queue_stats: one consistent reading of a queue for operators (changes nothing).
-- KEYS[1] types set  KEYS[2] scheduled zset  KEYS[3] active zset  KEYS[4] dead zset
-- KEYS[5] queue settings hash  KEYS[6] queue counters hash  KEYS[7..12] the last six 10-second
-- buckets of the counters (the current one first)
-- ARGV[1] task key prefix  ARGV[2] fraction of the current bucket that has elapsed (0..1)
-- ARGV[3] ready set prefix (+ type)
-- Result: name/value pairs: ready, scheduled, running, dead, paused (0/1), concurrency (-1 = no
-- limit), completedTotal, failedTotal, deadTotal, completedLastMinute, failedLastMinute,
-- headCreatedAt (createdAt of the next task to run, -1 = none), rateLimit and ratePer (ms; -1 = no
-- rate limit), groupLimit (-1 = none), groupsWaiting (groups with tasks waiting for their turn)
-- @include lib_fields
local settings = redis.call('HMGET', KEYS[5], 'paused', 'concurrency', 'rateLimit', 'ratePer', 'groupLimit')
local totals = redis.call('HMGET', KEYS[6], 'completed', 'failed', 'dead')
-- The last minute: the five full buckets before this one, the part of the oldest bucket that is
-- still inside the minute, and the current bucket so far.
local frac = tonumber(ARGV[2])
local done, failed = 0, 0
for i = 7, 12 do
  local b = redis.call('HMGET', KEYS[i], 'completed', 'failed')
  local weight = 1
  if i == 12 then weight = 1 - frac end
  done = done + weight * (tonumber(b[1]) or 0)
  failed = failed + weight * (tonumber(b[2]) or 0)
end
-- Ready tasks wait in one set per type (and, left by an earlier version until a claim moves them,
-- in the set of the old name, with whole ids: lib_fields); the next to run is the best head.
local ready, headId, headScore = 0, nil, nil
local base = queue_base(KEYS[5])
local idq = id_queue(KEYS[5])
for _, t in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, named in ipairs({ { ARGV[3] .. t, idq }, { old_ready_of(ARGV[3] .. t), '' } }) do
    local set = named[1]
    local r = redis.pcall('ZRANGE', set, 0, 0, 'WITHSCORES')
    if type(r) == 'table' and not r.err then
      ready = ready + redis.call('ZCARD', set)
      if #r == 2 and (not headScore or tonumber(r[2]) < headScore) then
        headId, headScore = named[2] .. r[1], tonumber(r[2])
      end
    end
  end
end
-- Grouped tasks waiting for their group's turn are ready too.
ready = ready + (tonumber(redis.call('GET', base .. 'gwaitn') or '0') or 0)
local headCreated = -1
if headId then
  local c = redis.pcall('HGET', ARGV[1] .. headId, F.createdAt)
  if type(c) ~= 'table' then headCreated = tonumber(c or id_time(headId) or -1) or -1 end
end
return { 'ready', ready, 'scheduled', redis.call('ZCARD', KEYS[2]),
  'running', redis.call('ZCARD', KEYS[3]), 'dead', redis.call('ZCARD', KEYS[4]),
  'paused', settings[1] == '1' and 1 or 0, 'concurrency', tonumber(settings[2] or '-1'),
  'completedTotal', tonumber(totals[1] or '0'), 'failedTotal', tonumber(totals[2] or '0'),
  'deadTotal', tonumber(totals[3] or '0'), 'completedLastMinute', math.floor(done + 0.5),
  'failedLastMinute', math.floor(failed + 0.5), 'headCreatedAt', headCreated,
  'rateLimit', tonumber(settings[3] or '-1'), 'ratePer', tonumber(settings[4] or '-1'),
  'groupLimit', tonumber(settings[5] or '-1'),
  'groupsWaiting', redis.call('SCARD', base .. 'gwaiting') }
