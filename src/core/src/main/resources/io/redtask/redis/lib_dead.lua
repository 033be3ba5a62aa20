-- lib_dead: which dead tasks an operator's operation acts on, shared by retry_dead and
-- purge_dead. Included at load time.
-- One task by id (when it is in the dead set), or the oldest max when id is ''.
local function dead_ids(dead, max, id)
  if id ~= '' then
    if redis.call('ZSCORE', dead, id) then
      return { id }
    end
    return {}
  end
  return redis.call('ZRANGE', dead, 0, max - 1)
end
