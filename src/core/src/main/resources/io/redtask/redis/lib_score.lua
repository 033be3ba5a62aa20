-- lib_score: a task's place in the ready set. Included at load time.
-- Higher priority gives a lower score; within one priority a fresh sequence number keeps FIFO
-- order by the time the task became ready. 2^42 sequence numbers per band keep every score an
-- exact integer in a double; '%.0f' keeps all its digits (Redis would otherwise turn the number
-- into a string with only 14).
local function score_at(priority, n)
  return string.format('%.0f', -tonumber(priority) * 4398046511104 + n)
end

local function ready_score(priority, seq)
  return score_at(priority, redis.call('INCR', seq))
end
