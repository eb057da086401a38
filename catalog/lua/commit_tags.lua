-- Write the tagging results of one chunk atomically: tags, status and the per-tag index.
-- A product whose content changed since it was read (hash differs) or was deleted is skipped:
-- the job queued by that change will tag it.
-- ARGV: prefix, now, taxonomy version, then per product: sku, hash, status, payload, tag ids.
local prefix, now, version = ARGV[1], ARGV[2], ARGV[3]
local written = 0
for i = 4, #ARGV, 5 do
  local sku, hash, status, payload, tag_ids = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local key = prefix .. ':product:' .. sku
  local current = redis.call('HMGET', key, 'hash', 'id', 'tag_ids')
  if current[1] == hash then
    local id = current[2]
    if current[3] then
      for tag in string.gmatch(current[3], '[^,]+') do
        redis.call('ZREM', prefix .. ':tag:' .. tag, sku)
      end
    end
    if status == 'tagged' then
      for tag in string.gmatch(tag_ids, '[^,]+') do
        redis.call('ZADD', prefix .. ':tag:' .. tag, id, sku)
      end
      redis.call('HSET', key, 'status', 'tagged', 'tags', payload, 'tag_ids', tag_ids,
                 'taxonomy_version', version, 'tagged_at', now)
      redis.call('HDEL', key, 'error')
      redis.call('ZADD', prefix .. ':tagged', id, sku)
    else
      redis.call('HSET', key, 'status', 'failed', 'error', payload, 'tags', '[]', 'tag_ids', '')
      redis.call('ZREM', prefix .. ':tagged', sku)
    end
    redis.call('ZREM', prefix .. ':pending', sku)
    written = written + 1
  end
end
if written > 0 then
  redis.call('INCR', prefix .. ':catalog-version')
end
return written
