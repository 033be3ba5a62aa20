-- set_paused: pauses or resumes a queue on every server. A resume wakes the fetchers blocked on the
-- queue at once (with tokens, as new tasks do), rather than at their next poll: while the queue was
-- paused, submits left no tokens (enqueue.lua), so that a paused queue costs its servers nothing.
-- @include lib_task
-- KEYS[1] queue settings hash  KEYS[2] wake list
-- ARGV[1] '1' to pause, '0' to resume
-- Result: nothing.
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'paused', '1')
else
  redis.call('HDEL', KEYS[1], 'paused')
  -- As many tokens as the cap allows: each wakes one blocked fetcher, and a fetcher that finds
  -- nothing left drops the rest (claim.lua).
  wake(KEYS[2], 64)
end
return nil
