-- Record (or clear, when ARGV[3] is empty) a merchandiser's correction of one tag and move the
-- product in the index at once. ARGV: prefix, sku, tag, correction JSON. Returns 0 if no product.
local prefix, sku, tag, correction = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', prefix .. ':product:' .. sku) == 0 then
  return 0
end
if correction == '' then
  redis.call('HDEL', prefix .. ':corrections:' .. sku, tag)
else
  redis.call('HSET', prefix .. ':corrections:' .. sku, tag, correction)
end
reindex(prefix, sku, is_listed(prefix, sku)) -- tags only: listing and facets do not change
redis.call('INCR', prefix .. ':catalog-version')
return 1
