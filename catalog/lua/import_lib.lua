-- Shared by the import scripts (prepended to each). KEYS of every import script:
--   1 the import's record hash, 2 its outcomes hash (sku -> tagged|failed|superseded),
--   3 its row-error list, 4 its seen hash (sku -> flag and content hash, while the body is read).

-- Settle the import once its body is read and every accepted product has an outcome: a final status,
-- the per-sku structures dropped (the counters stay), record and errors kept for ttl seconds more.
local function settle(now, ttl)
  local f = redis.call('HMGET', KEYS[1], 'receiving', 'accepted', 'settled', 'status')
  if f[1] ~= '0' or f[3] == '1' then return false end
  if redis.call('HLEN', KEYS[2]) < tonumber(f[2] or '0') then return false end
  redis.call('HSET', KEYS[1], 'settled', '1', 'settled_at', now, 'updated_at', now)
  if f[4] == 'queued' or f[4] == 'running' then
    redis.call('HSET', KEYS[1], 'status', 'completed')
  end
  redis.call('DEL', KEYS[2], KEYS[4])
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
  return true
end
