-- enqueue: store a new task and make it ready (or scheduled, when it is due later).
-- KEYS[1] task hash     {q}:task:<id>
-- KEYS[2] ready zset    {q}:ready      member id, score = priority band + sequence
-- KEYS[3] scheduled zset {q}:scheduled member id, score = due time (ms)
-- KEYS[4] sequence      {q}:seq        FIFO counter within a priority
-- KEYS[5] wake list     {q}:wake       one token per newly ready task wakes a blocked fetcher
-- ARGV[1] id  ARGV[2] type  ARGV[3] queue  ARGV[4] payload (JSON)  ARGV[5] maxAttempts
-- ARGV[6] priority (-1000..1000, higher runs first)  ARGV[7] now (ms)  ARGV[8] due time (ms)
-- Result: the state the task was stored in ("queued" | "scheduled"), or "exists" when the id is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'exists'
end
local now = tonumber(ARGV[7])
local due = tonumber(ARGV[8])
local seq = redis.call('INCR', KEYS[4])
-- Higher priority gives a lower score; within one priority the sequence keeps FIFO order.
-- 2^42 sequence numbers per band keep every score an exact integer in a double; '%.0f' keeps
-- all its digits (Redis would otherwise turn the number into a string with only 14).
local score = string.format('%.0f', -tonumber(ARGV[6]) * 4398046511104 + seq)
local state = 'queued'
if due > now then state = 'scheduled' end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'type', ARGV[2], 'queue', ARGV[3], 'payload', ARGV[4],
  'state', state, 'attempts', 0, 'maxAttempts', ARGV[5], 'priority', ARGV[6], 'score', score,
  'fence', 0, 'createdAt', now, 'runAt', due)
if state == 'queued' then
  redis.call('ZADD', KEYS[2], score, ARGV[1])
  redis.call('LPUSH', KEYS[5], '1')
  redis.call('LTRIM', KEYS[5], 0, 63)
else
  redis.call('ZADD', KEYS[3], due, ARGV[1])
end
return state
