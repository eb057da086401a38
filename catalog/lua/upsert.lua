-- Store a product as pending: keep its dense id (or assign one), replace its content, queue it.
-- KEYS: product, sequence, pending. ARGV: sku, doc, hash, now, job_id.
-- New content keeps the previous tags visible until they are replaced, but not their evidence: its
-- words are cut from the stored text by offset (catalog/evidence.py), and that text is gone.
local f = redis.call('HMGET', KEYS[1], 'id', 'hash')
local id = f[1]
if not id then
  id = redis.call('INCR', KEYS[2])
elseif f[2] ~= ARGV[3] then
  redis.call('HSET', KEYS[1], 'evidence', '')
  redis.call('HDEL', KEYS[1], 'tags') -- an older version's tags JSON, words included
end
redis.call('HSET', KEYS[1], 'id', id, 'sku', ARGV[1], 'doc', ARGV[2], 'hash', ARGV[3],
           'status', 'pending', 'updated_at', ARGV[4], 'job_id', ARGV[5])
redis.call('HDEL', KEYS[1], 'error')
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return id
