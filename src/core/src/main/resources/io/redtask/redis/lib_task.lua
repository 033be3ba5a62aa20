-- lib_task: the small steps every state change shares, so each is written once. Included at
-- load time (each script still runs as one atomic unit).
-- A task hash holds the fields lib_fields names (F.state, ...; the Java codec TaskRecord names them
-- too), some of them only when they are not at their defaults.
-- @include lib_fields

-- Whether the caller still holds the task: its owner token is the current fencing token and the
-- task is running. A stale caller (lease lost, cancelled) must change nothing.
local function holds(key, token)
  local f = redis.call('HMGET', key, F.fence, F.state)
  return f[1] == token and f[2] == 'running'
end

-- Wakes fetchers blocked on an empty queue: one token per task that became ready (n, 1 when
-- absent), as each token wakes one blocked fetcher. The list is capped: a token means "look
-- again", and 64 of them wake every fetcher there could be many times over.
local function wake(list, n)
  local pushed
  if (n or 1) <= 1 then
    -- The usual case (one task stored): no table of tokens (n of 0 or less: one token too).
    pushed = redis.call('LPUSH', list, '1')
  else
    local tokens = {}
    for i = 1, math.min(n, 64) do
      tokens[i] = '1'
    end
    pushed = redis.call('LPUSH', list, unpack(tokens))
  end
  if pushed > 64 then
    redis.call('LTRIM', list, '0', '63')
  end
  -- Tokens are only hints (a blocked fetcher looks again within its poll interval anyway): let
  -- the list go when no fetcher takes them, rather than stay in Redis forever.
  redis.call('PEXPIRE', list, '10000')
end

-- Whether a reply of redis.pcall is an error (for example a key of a slot that is migrating away
-- in a cluster). Scripts read every key they did not declare with pcall before they write
-- anything, so such an error stops them with nothing half-applied.
local function failed(reply)
  return type(reply) == 'table' and reply.err ~= nil
end

-- Batch accounting, called by bury below; it uses wake and failed above.
-- @include lib_batch

-- Moves a task to the dead set at now; its record is kept for keep ms. Dead-set entries older
-- than the retention have lost their records (they expired): forget them too, so the set stays
-- bounded even when nothing dies for a while.
local function bury(key, dead, id, now, keep)
  redis.call('HSET', key, F.state, 'dead', F.finishedAt, now)
  redis.call('ZADD', dead, now, id)
  redis.call('PEXPIRE', key, keep)
  redis.call('ZREMRANGEBYSCORE', dead, '-inf', now - tonumber(keep))
  batch_end(key, 'dead', now)
end

-- A task whose record cannot be read (a field that should be a number is not, a required field
-- is missing: foreign or damaged data) goes to the dead set with the field named, so it neither
-- blocks its queue nor is run blind. field is the name a reader knows (F's key, e.g. 'attempts').
local function bury_corrupt(key, dead, id, now, keep, field)
  redis.call('HSET', key, F.error, 'corrupt record: ' .. field)
  bury(key, dead, id, now, keep)
end
