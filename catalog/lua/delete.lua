-- Remove a product and take it out of every index. ARGV: prefix, sku. Returns 1 if it existed.
local prefix, sku = ARGV[1], ARGV[2]
local key = prefix .. ':product:' .. sku
local tag_ids = redis.call('HGET', key, 'tag_ids')
if redis.call('EXISTS', key) == 0 then
  return 0
end
if tag_ids then
  for tag in string.gmatch(tag_ids, '[^,]+') do
    redis.call('ZREM', prefix .. ':tag:' .. tag, sku)
  end
end
redis.call('ZREM', prefix .. ':tagged', sku)
redis.call('ZREM', prefix .. ':pending', sku)
redis.call('DEL', key)
redis.call('INCR', prefix .. ':catalog-version')
return 1
