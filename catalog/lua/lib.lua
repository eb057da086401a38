-- Shared by the scripts below (prepended to each): keeping a product's index entries in step with
-- its engine tags and a merchandiser's corrections. Index membership is decided here only.
local function csv(text)
  local items = {}
  if text then
    for item in string.gmatch(text, '[^,]+') do
      items[#items + 1] = item
    end
  end
  return items
end

-- Query bitmaps, read by search.lua: bit <dense product id> per listed product. bits:tag:<id> is
-- membership; bits:tag:<id>:<i> is bit i of the tag's score in hundredths (a bit-sliced index, for
-- min_score and relevance), zero when the product does not carry the tag.
local SCORE_SLICES = 7
local function tag_bits(prefix, tag, id, score)
  local key = prefix .. ':bits:tag:' .. tag
  if not score then -- off the tag: membership and every slice cleared
    redis.call('SETBIT', key, id, 0)
    for i = 0, SCORE_SLICES - 1 do redis.call('SETBIT', key .. ':' .. i, id, 0) end
    return
  end
  local hundredths = math.max(0, math.min(100, math.floor(tonumber(score) * 100 + 1e-7)))
  redis.call('SETBIT', key, id, 1)
  -- Only the one bits: the slices are zero here (reindex clears a product's old tags first, and
  -- dense ids are never reused), which halves the writes of a commit.
  for i = 0, SCORE_SLICES - 1 do
    if math.floor(hundredths / 2 ^ i) % 2 == 1 then redis.call('SETBIT', key .. ':' .. i, id, 1) end
  end
end

-- The listed-products bitmap, and q and sort=title for a product: its folded title and brand words
-- (sets of dense ids, word:<w>, plus the vocabulary zset words) and its title sort key (zset by-title,
-- member "<folded title>\0<id, 12 digits>"). search_words and title_key are written at upsert.
local function reindex_listing(prefix, sku)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'search_words', 'title_key', 'index_words', 'index_title')
  if not f[1] then return end
  for word in string.gmatch(f[4] or '', '%S+') do
    redis.call('SREM', prefix .. ':word:' .. word, f[1])
    if redis.call('EXISTS', prefix .. ':word:' .. word) == 0 then
      redis.call('ZREM', prefix .. ':words', word)
    end
  end
  if f[5] and f[5] ~= '' then redis.call('ZREM', prefix .. ':by-title', f[5]) end
  local listed = redis.call('ZSCORE', prefix .. ':tagged', sku)
  redis.call('SETBIT', prefix .. ':bits:tagged', f[1], listed and 1 or 0)
  if not listed then
    redis.call('HSET', key, 'index_words', '', 'index_title', '')
    return
  end
  for word in string.gmatch(f[2] or '', '%S+') do
    redis.call('SADD', prefix .. ':word:' .. word, f[1])
    redis.call('ZADD', prefix .. ':words', 0, word)
  end
  local member = (f[3] or '') .. '\0' .. string.format('%012d', tonumber(f[1]))
  redis.call('ZADD', prefix .. ':by-title', 0, member)
  redis.call('HSET', key, 'index_words', f[2] or '', 'index_title', member)
end

-- Put a listed (tagged) product under its effective tags: engine tags, plus pinned, minus suppressed.
-- tag:<id> is scored by dense product id (paging order), tagscore:<id> by the tag's score (relevance).
local function reindex(prefix, sku)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'tag_ids', 'tag_scores', 'index_ids')
  for _, tag in ipairs(csv(f[4])) do
    redis.call('ZREM', prefix .. ':tag:' .. tag, sku)
    redis.call('ZREM', prefix .. ':tagscore:' .. tag, sku)
    if f[1] then tag_bits(prefix, tag, f[1], nil) end
  end
  if not f[1] or not redis.call('ZSCORE', prefix .. ':tagged', sku) then
    if f[1] then redis.call('HSET', key, 'index_ids', '') end
    reindex_listing(prefix, sku)
    return
  end
  local target, order = {}, {}
  local scores = csv(f[3])
  for i, tag in ipairs(csv(f[2])) do
    target[tag] = scores[i] or '0'
    order[#order + 1] = tag
  end
  local corrections = redis.call('HGETALL', prefix .. ':corrections:' .. sku)
  for i = 1, #corrections, 2 do
    local tag, state = corrections[i], string.match(corrections[i + 1], '"state": *"(%a+)"')
    if state == 'pinned' then
      if not target[tag] then order[#order + 1] = tag end
      target[tag] = '1'
    elseif state == 'suppressed' then
      target[tag] = nil
    end
  end
  local listed = {}
  for _, tag in ipairs(order) do
    if target[tag] then
      redis.call('ZADD', prefix .. ':tag:' .. tag, f[1], sku)
      redis.call('ZADD', prefix .. ':tagscore:' .. tag, target[tag], sku)
      tag_bits(prefix, tag, f[1], target[tag])
      listed[#listed + 1] = tag
    end
  end
  redis.call('HSET', key, 'index_ids', table.concat(listed, ','))
  reindex_listing(prefix, sku)
end

-- Brand and category filters: one sorted set per folded value, for listed products only.
local function reindex_facets(prefix, sku, brand, category)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'brand_key', 'category_key')
  if f[1] and f[1] ~= '' then redis.call('ZREM', prefix .. ':brand:' .. f[1], sku) end
  if f[2] and f[2] ~= '' then redis.call('ZREM', prefix .. ':category:' .. f[2], sku) end
  local id = redis.call('HGET', key, 'id')
  if id and f[1] and f[1] ~= '' then redis.call('SETBIT', prefix .. ':bits:brand:' .. f[1], id, 0) end
  if id and f[2] and f[2] ~= '' then redis.call('SETBIT', prefix .. ':bits:category:' .. f[2], id, 0) end
  if id and redis.call('ZSCORE', prefix .. ':tagged', sku) then
    if brand ~= '' then redis.call('ZADD', prefix .. ':brand:' .. brand, id, sku) end
    if category ~= '' then redis.call('ZADD', prefix .. ':category:' .. category, id, sku) end
    if brand ~= '' then redis.call('SETBIT', prefix .. ':bits:brand:' .. brand, id, 1) end
    if category ~= '' then redis.call('SETBIT', prefix .. ':bits:category:' .. category, id, 1) end
    redis.call('HSET', key, 'brand_key', brand, 'category_key', category)
  else
    redis.call('HSET', key, 'brand_key', '', 'category_key', '')
  end
end

-- Products per taxonomy version (hash versions: version -> count), kept exact on every change so that
-- re-tagging progress is one HGET. new_version '' means the product no longer has tags of any version.
local function count_version(prefix, key, new_version)
  local old = redis.call('HGET', key, 'taxonomy_version')
  if old == new_version then return end
  if old and old ~= '' then redis.call('HINCRBY', prefix .. ':versions', old, -1) end
  if new_version ~= '' then
    redis.call('HINCRBY', prefix .. ':versions', new_version, 1)
    redis.call('HSET', key, 'taxonomy_version', new_version)
  else
    redis.call('HDEL', key, 'taxonomy_version')
  end
end
