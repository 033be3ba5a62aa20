-- lib_fields: the names of a task hash's fields, and how its payload is stored. Included at load
-- time (first by lib_task and lib_batch). The Java codec TaskRecord names the same fields.
--
-- Why short names and left-out defaults: a queued task is mostly its hash, and Redis keeps a small
-- hash as one compact listpack only while every name and value is at most hash-max-listpack-value
-- (64 bytes by default) long (and it has at most 128 fields); otherwise it becomes a hashtable of
-- several times the size. Every byte of a name is paid once per task, so names are one or two
-- characters, and fields at their defaults are not stored at all: a reader treats absent as
-- attempts 0, fence 0, priority 0, maxAttempts DEFAULT_MAX_ATTEMPTS, runAt = createdAt, createdAt =
-- the time in the task's id (id_time; its submitter made both from one clock reading), and state
-- "queued" when the record is there (state_of: a new ready task stores no state until it is
-- claimed). A task's id and queue are not stored either: the key names the id, and the id begins
-- with the queue. Records that do store these fields (older ones) read the same.
local F = {
  state = 's', type = 't', payload = 'p', attempts = 'a', maxAttempts = 'm', priority = 'pr',
  score = 'sc', fence = 'f', createdAt = 'c', runAt = 'ra', startedAt = 'sa', finishedAt = 'fa',
  timeoutMs = 'to', idemKey = 'ik', backoffBase = 'bb', backoffCap = 'bc', result = 're', error = 'er',
  submittedBy = 'by', group = 'g', trace = 'tr', owner = 'o', lease = 'l', stalls = 'st', batch = 'b',
  batchEnd = 'be', waitsFor = 'w', next = 'n', nextFence = 'nf', rateAt = 'rt', claim = 'ci',
  -- Not stored: the id in the claim's reply, and instructions to lib_add_task.
  id = 'id', dueAt = 'du', dedupeMs = 'dm', fingerprint = 'fp',
}

-- A count as an argument's text, each small one (a whole number from 0 to 1024) spelled once and
-- kept: Redis spells a number passed to redis.call anew, with sprintf("%.17g"), in every call.
-- Anything else is spelled as Redis would have spelled it.
local COUNT_TEXT = {}
local function count_text(n)
  local s = COUNT_TEXT[n]
  if s then return s end
  if n >= 0 and n <= 1024 and n % 1 == 0 then
    s = string.format('%d', n)
    COUNT_TEXT[n] = s
    return s
  end
  return string.format('%.17g', n)
end

-- The name a reader knows a field by (for messages): NAME_OF[F.attempts] is 'attempts'.
local NAME_OF = {}
for name, field in pairs(F) do
  NAME_OF[field] = name
end

-- A task's state from its record's state and type fields (an HMGET of both): the state, or
-- "queued" for a record that stores none (lib_add_task leaves it out); nil when there is no record
-- (every record has a type).
local function state_of(state, type)
  if state then return state end
  if type then return 'queued' end
  return nil
end

-- The time (ms) in a task id "<queue>:<26 characters>": its first ten characters, Crockford base
-- 32 (TaskIds); nil for an id of another shape. A record without createdAt was created then.
local DIGITS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
local CROCKFORD = {}
for i = 1, 32 do
  CROCKFORD[string.byte(DIGITS, i)] = i - 1
end
local function id_time(id)
  local u = string.match(id, ':([0-9A-Z]+)$')
  if not u or #u ~= 26 then return nil end
  local t = 0
  for i = 1, 10 do
    local d = CROCKFORD[string.byte(u, i)]
    if not d then return nil end
    t = t * 32 + d
  end
  return t
end

-- Whether id was made at time t (ms): the ten characters after its last colon spell t (TaskIds),
-- as id_time would read them. Cheaper per task: t is spelled once and kept (the ids of one bulk
-- submit share their submitter's clock reading, as do a task's id and its store time), then each
-- id costs one compare.
local stamp_of, stamp = nil, nil
local function made_at(id, t)
  if t ~= stamp_of then
    local chars = {}
    local v = t
    for i = 10, 1, -1 do
      local d = v % 32
      chars[i] = string.sub(DIGITS, d + 1, d + 1)
      v = (v - d) / 32
    end
    stamp, stamp_of = ':' .. table.concat(chars), t
  end
  return #id > 27 and string.sub(id, -27, -17) == stamp
end

-- A task waiting in a ready set is named there by its id without the queue part ("<queue>:"): the
-- set is its queue's own. For a RedTask id that leaves the 26 characters of its ULID, which Redis
-- keeps in a 32-byte allocation where the whole id took 48: 16 bytes of every queued task. READY
-- names those sets ("<prefix>:{q}:queued:<type>"); earlier versions kept whole ids in
-- "<prefix>:{q}:ready:<type>" (OLD_READY), whose tasks claims move over (lib_claim).
local READY, OLD_READY = 'queued:', 'ready:'
local function member_of(id)
  return string.match(id, '[^:]*$')
end
-- What the three functions below answer for the keys a script names, kept from one call to the
-- next: they depend on the key's text alone (no data), and a pattern match costs more than the
-- lookup, several times a call. Emptied when it holds MEMO_MAX keys; a task's key goes through
-- task_base instead.
local MEMO_MAX = 256
local memo, memo_size = {}, {}
local function memoized(compute, key)
  local known = memo[compute]
  if not known or memo_size[compute] >= MEMO_MAX then
    known = {}
    memo[compute], memo_size[compute] = known, 0
  end
  local v = known[key]
  if v == nil then
    v = compute(key) or false
    known[key] = v
    memo_size[compute] = memo_size[compute] + 1
  end
  return v or nil
end
local OLD_READY_PATTERN = '^(.-}:)' .. READY .. '(.*)$'
local function id_queue_of(key)
  return string.match(key, '{(.-)}') .. ':'
end
local function queue_base_of(key)
  return string.match(key, '^(.-}:)')
end
local function old_ready_name(set)
  local base, t = string.match(set, OLD_READY_PATTERN)
  if not base then return nil end
  return base .. OLD_READY .. t
end
-- The "<queue>:" that begins the ids of the queue a key belongs to (any key of the queue: its hash
-- tag is the queue, or the shard, the ids name).
local function id_queue(key)
  return memoized(id_queue_of, key)
end
-- "<prefix>:{q}:" of any key of the queue: the hash tag ends at the first '}' (prefixes have none).
local function queue_base(key)
  return memoized(queue_base_of, key)
end
-- The ready set of the old name (OLD_READY) for the type of ready set `set`; nil for another key.
local function old_ready_of(set)
  return memoized(old_ready_name, set)
end
-- queue_base for a task's key: not remembered (one key per task would only push out the queue's).
local function task_base(key)
  return queue_base_of(key)
end

-- Attempts a task has when it names none (TaskRecord.DEFAULT_MAX_ATTEMPTS: TaskType's default).
local DEFAULT_MAX_ATTEMPTS = 3

-- A payload longer than PAYLOAD_CHUNK bytes is stored in up to PAYLOAD_CHUNKS fields of at most
-- PAYLOAD_CHUNK bytes each, "p", "p1", "p2", ... in order, so that the hash stays a listpack; each
-- cut falls between two UTF-8 characters, so every part is valid text on its own (a reader of the
-- hash decodes each field as a string). A payload that needs more parts is stored whole in "p"
-- (the hash is a hashtable then: at that size the payload is most of its cost anyway).
local PAYLOAD_CHUNK = 64
local PAYLOAD_CHUNKS = 16
local PAYLOAD_FIELDS = { F.payload }
for i = 1, PAYLOAD_CHUNKS - 1 do
  PAYLOAD_FIELDS[i + 1] = F.payload .. i
end

-- The fields a running attempt holds (its server, its lease, the claim that took it: lib_claim),
-- which go when the attempt ends in any way. The lists an end deletes are built from this one at
-- load time, so that a field added to a running attempt goes from every end at once.
local ATTEMPT_FIELDS = { F.owner, F.lease, F.claim }
local function attempt_fields_and(more)
  local names = { unpack(ATTEMPT_FIELDS) }
  for _, name in ipairs(more) do
    names[#names + 1] = name
  end
  return names
end
-- What a success deletes (an earlier attempt's error, and the payload: a kept task is its
-- outcome), with the payload in one field or in parts; and what a cancel deletes.
local SUCCEEDED_DROPS = attempt_fields_and({ F.error, F.payload })
local SUCCEEDED_DROPS_PARTS = attempt_fields_and({ F.error, unpack(PAYLOAD_FIELDS) })
local CANCELLED_DROPS = attempt_fields_and(PAYLOAD_FIELDS)

-- The name/value pairs that store payload (appended to out, or a new table).
local function payload_pairs(payload, out)
  out = out or {}
  local n = #payload
  if n <= PAYLOAD_CHUNK then
    out[#out + 1] = F.payload
    out[#out + 1] = payload
    return out
  end
  local parts = {}
  local i = 1
  while i <= n do
    if #parts == PAYLOAD_CHUNKS then
      out[#out + 1] = F.payload
      out[#out + 1] = payload
      return out
    end
    local j = math.min(i + PAYLOAD_CHUNK - 1, n)
    -- Never cut inside a character: a byte 10xxxxxx continues the character before it.
    while j < n and j > i do
      local b = string.byte(payload, j + 1)
      if b < 128 or b >= 192 then break end
      j = j - 1
    end
    parts[#parts + 1] = string.sub(payload, i, j)
    i = j + 1
  end
  for k, part in ipairs(parts) do
    out[#out + 1] = PAYLOAD_FIELDS[k]
    out[#out + 1] = part
  end
  return out
end

-- The payload of the task at key, its parts joined in order (nil when it has none).
local function payload_of(key)
  local values = redis.call('HMGET', key, unpack(PAYLOAD_FIELDS))
  if not values[1] then
    return nil
  end
  local parts = { values[1] }
  for k = 2, PAYLOAD_CHUNKS do
    if not values[k] then break end
    parts[k] = values[k]
  end
  return table.concat(parts)
end

-- Replaces the payload of the task at key (every part of the old one goes).
local function payload_set(key, payload)
  redis.call('HDEL', key, unpack(PAYLOAD_FIELDS))
  redis.call('HSET', key, unpack(payload_pairs(payload)))
end
