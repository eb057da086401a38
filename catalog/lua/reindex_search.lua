-- Rebuild the index entries of a batch of stored products from what their hashes hold (the query
-- bitmaps, words and title order among them): for catalogs written before those existed.
-- ARGV: prefix, then per product 4 values: sku, the content hash its words were computed from, search
-- words, title key. Words are written only if the content is still that one (an upsert in between
-- wrote its own). Idempotent and atomic per call, so it may run while workers commit.
local prefix = ARGV[1]
local done = 0
for i = 2, #ARGV, 4 do
  local sku = ARGV[i]
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'brand_key', 'category_key', 'hash')
  if f[1] then
    if f[4] == ARGV[i + 1] then
      redis.call('HSET', key, 'search_words', ARGV[i + 2], 'title_key', ARGV[i + 3])
    end
    reindex(prefix, sku)
    reindex_facets(prefix, sku, f[2] or '', f[3] or '')
    done = done + 1
  end
end
if done > 0 then
  redis.call('INCR', prefix .. ':catalog-version')
end
return done
