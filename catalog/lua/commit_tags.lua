-- Write the tagging results of one chunk atomically: tags, status and every index entry.
-- A product whose content changed since it was read (hash differs) or was deleted is skipped:
-- the job queued by that change will tag it.
-- ARGV: prefix, now, taxonomy version, then per product 10 values: sku, hash, status, payload (the
--   compact evidence, catalog/evidence.py, or the error), tag ids, tag scores, then from the content
--   tagged: brand key, category key, search words, title key
local prefix, now, version = ARGV[1], ARGV[2], ARGV[3]
local written = 0
for i = 4, #ARGV, 10 do
  local sku, hash, status, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key = prefix .. ':product:' .. sku
  local current = redis.call('HMGET', key, 'hash', 'id')
  if current[1] == hash then
    if status == 'tagged' then
      count_version(prefix, key, version)
      redis.call('HSET', key, 'status', 'tagged', 'evidence', payload, 'tag_ids', ARGV[i + 4],
                 'tag_scores', ARGV[i + 5], 'tagged_at', now)
      redis.call('HDEL', key, 'error', 'tags')
      redis.call('ZADD', prefix .. ':tagged', current[2], sku)
      redis.call('ZREM', prefix .. ':failed', sku)
    else
      count_version(prefix, key, '')
      redis.call('HSET', key, 'status', 'failed', 'error', payload, 'evidence', '', 'tag_ids', '',
                 'tag_scores', '')
      redis.call('HDEL', key, 'tags')
      redis.call('ZREM', prefix .. ':tagged', sku)
      redis.call('ZADD', prefix .. ':failed', current[2], sku)
    end
    redis.call('ZREM', prefix .. ':pending', sku)
    reindex_product(prefix, sku, ARGV[i + 8], ARGV[i + 9], ARGV[i + 6], ARGV[i + 7])
    written = written + 1
  end
end
if written > 0 then
  redis.call('INCR', prefix .. ':catalog-version')
end
return written
