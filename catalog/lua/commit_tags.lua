-- Write the tagging results of one chunk atomically: tags, status and every index entry.
-- A product whose content changed since it was read (hash differs) or was deleted is skipped:
-- the job queued by that change will tag it.
-- ARGV: prefix, now, taxonomy version, then per product 8 values:
--   sku, hash, status, payload (tags JSON or error), tag ids, tag scores, brand key, category key
local prefix, now, version = ARGV[1], ARGV[2], ARGV[3]
local written = 0
for i = 4, #ARGV, 8 do
  local sku, hash, status, payload = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local key = prefix .. ':product:' .. sku
  local current = redis.call('HMGET', key, 'hash', 'id')
  if current[1] == hash then
    if status == 'tagged' then
      count_version(prefix, key, version)
      redis.call('HSET', key, 'status', 'tagged', 'tags', payload, 'tag_ids', ARGV[i + 4],
                 'tag_scores', ARGV[i + 5], 'tagged_at', now)
      redis.call('HDEL', key, 'error')
      redis.call('ZADD', prefix .. ':tagged', current[2], sku)
      redis.call('ZREM', prefix .. ':failed', sku)
    else
      count_version(prefix, key, '')
      redis.call('HSET', key, 'status', 'failed', 'error', payload, 'tags', '[]', 'tag_ids', '', 'tag_scores', '')
      redis.call('ZREM', prefix .. ':tagged', sku)
      redis.call('ZADD', prefix .. ':failed', current[2], sku)
    end
    redis.call('ZREM', prefix .. ':pending', sku)
    reindex(prefix, sku)
    reindex_facets(prefix, sku, ARGV[i + 6], ARGV[i + 7])
    written = written + 1
  end
end
if written > 0 then
  redis.call('INCR', prefix .. ':catalog-version')
end
return written
