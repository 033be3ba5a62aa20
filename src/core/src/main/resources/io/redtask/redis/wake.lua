-- wake: puts back one wake-up token a fetcher took but cannot act on (its server's workers are
-- all busy), so that a server with free workers is woken instead; capped and expiring as every
-- token (lib_task's wake).
-- @include lib_task
-- KEYS[1] wake list
-- Result: nothing.
wake(KEYS[1], 1)
return nil
