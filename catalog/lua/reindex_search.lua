-- Rebuild the index entries of a batch of stored products from what their hashes hold: for catalogs
-- written by an older version (before the query bitmaps, or with tag sorted sets and tags as JSON).
-- ARGV: prefix, then per product 7 values: sku, the content hash the rest was computed from, search
-- words, title key, then from its tags: compact evidence (catalog/evidence.py), tag ids, tag scores
-- (the oldest catalogs kept tags as JSON only). They are written only if the content is still that
-- one (an upsert in between queued a job that writes its own). Idempotent and atomic per call, so it
-- may run while workers commit.
local prefix = ARGV[1]
local done = 0
for i = 2, #ARGV, 7 do
  local sku = ARGV[i]
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'brand_key', 'category_key', 'hash', 'tags')
  if f[1] then
    local words, title
    if f[4] == ARGV[i + 1] then
      words, title = ARGV[i + 2], ARGV[i + 3]
      if f[5] then
        redis.call('HSET', key, 'evidence', ARGV[i + 4], 'tag_ids', ARGV[i + 5], 'tag_scores', ARGV[i + 6])
        redis.call('HDEL', key, 'tags')
      end
    end
    reindex_product(prefix, sku, words, title, f[2] or '', f[3] or '')
    done = done + 1
  end
end
if done > 0 then
  redis.call('INCR', prefix .. ':catalog-version')
end
return done
