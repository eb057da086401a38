-- The import's body has been read to its end (mode 'received'), could not be (mode 'failed', with
-- the reason), or its upload stopped sending while its lease ran out (mode 'expired': an API process
-- died or the client went away). No more rows come; the import settles when its last job has run.
-- ARGV: now, ttl, mode, reason. Returns the import's status (nil when there is no such import).
local now, ttl, mode, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local f = redis.call('HMGET', KEYS[1], 'receiving', 'lease_until', 'status')
if f[1] ~= '1' then return f[3] end
if mode == 'expired' and tonumber(f[2] or '0') >= tonumber(now) then return f[3] end
if mode ~= 'received' then
  if f[3] == 'queued' or f[3] == 'running' then redis.call('HSET', KEYS[1], 'status', 'failed') end
  redis.call('HSET', KEYS[1], 'error', reason)
end
redis.call('HSET', KEYS[1], 'receiving', '0', 'received_at', now, 'updated_at', now)
redis.call('DEL', KEYS[4])
settle(now, ttl)
return redis.call('HGET', KEYS[1], 'status')
