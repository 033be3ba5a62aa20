-- refill_groups: lets waiting tasks of a queue's groups into line as far as the group limit now
-- allows (after it was raised or removed), a bounded number of groups per call.
-- @include lib_limits
-- KEYS[1] queue settings hash
-- ARGV[1] SSCAN cursor of the set of groups with waiting tasks ('0' to start)  ARGV[2] groups per call
-- Result: the next cursor ('0' when every group was seen)
local base = queue_base(KEYS[1])
local r = redis.call('SSCAN', base .. 'gwaiting', ARGV[1], 'COUNT', tonumber(ARGV[2]))
for _, g in ipairs(r[2]) do
  group_fill(base, g)
end
return r[1]
