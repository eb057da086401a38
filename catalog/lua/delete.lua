-- Remove a product, its corrections and every index entry. ARGV: prefix, sku. Returns 1 if it existed.
local prefix, sku = ARGV[1], ARGV[2]
local key = prefix .. ':product:' .. sku
if redis.call('EXISTS', key) == 0 then
  return 0
end
redis.call('ZREM', prefix .. ':tagged', sku)
redis.call('ZREM', prefix .. ':pending', sku)
redis.call('ZREM', prefix .. ':failed', sku)
redis.call('DEL', prefix .. ':corrections:' .. sku)
count_version(prefix, key, '')
reindex_product(prefix, sku, nil, nil, '', '')
redis.call('DEL', key)
redis.call('INCR', prefix .. ':catalog-version')
return 1
