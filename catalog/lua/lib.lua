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

-- The title order's member for a product: its folded title, then its id (ties and uniqueness).
local function title_member(title, id)
  return (title or '') .. '\0' .. string.format('%012d', tonumber(id))
end

-- The listed-products bitmap (bits:tagged), and what q and sort=title find a listed product by: its
-- folded title and brand words (sets of dense ids word:<w>, with the vocabulary zset words) and its
-- title order (zset by-title). The product hash keeps one copy, the fields words and title_key, which
-- are what the index holds while its bit in bits:tagged is set. words and title, when given, replace
-- them (the content changed); without them the product is relisted or unlisted as it stands.
local function reindex_listing(prefix, sku, listed, words, title)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'words', 'title_key', 'index_words', 'index_title', 'search_words')
  local id = f[1]
  if not id then return end
  local was = redis.call('GETBIT', prefix .. ':bits:tagged', id) == 1
  local old_words, old_title = f[2] or '', title_member(f[3], id)
  if f[4] or f[6] then -- written by an older version: its index entries were recorded apart
    if f[4] then old_words, old_title = f[4], f[5] or '' end
    if not words then words, title = f[6] or f[4], f[3] or '' end
    redis.call('HDEL', key, 'index_words', 'index_title', 'search_words')
  end
  local new_words, new_title = old_words, old_title
  if words then
    new_words, new_title = words, title_member(title, id)
    redis.call('HSET', key, 'words', words, 'title_key', title)
  end
  redis.call('SETBIT', prefix .. ':bits:tagged', id, listed and 1 or 0)
  if was and listed and new_words == old_words and new_title == old_title then return end
  if was then
    for word in string.gmatch(old_words, '%S+') do
      redis.call('SREM', prefix .. ':word:' .. word, id)
      if redis.call('EXISTS', prefix .. ':word:' .. word) == 0 then
        redis.call('ZREM', prefix .. ':words', word)
      end
    end
    redis.call('ZREM', prefix .. ':by-title', old_title)
  end
  if listed then
    for word in string.gmatch(new_words, '%S+') do
      local set = prefix .. ':word:' .. word
      if redis.call('SADD', set, id) == 1 and redis.call('SCARD', set) == 1 then
        redis.call('ZADD', prefix .. ':words', 0, word) -- a word new to the vocabulary
      end
    end
    redis.call('ZADD', prefix .. ':by-title', 0, new_title)
  end
end

-- Put a listed (tagged) product's bits under its effective tags: engine tags, plus pinned, minus
-- suppressed; index_ids records which tags it is under, so that they can be cleared.
local function reindex(prefix, sku, listed)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'tag_ids', 'tag_scores', 'index_ids')
  if not f[1] then return end
  for _, tag in ipairs(csv(f[4])) do tag_bits(prefix, tag, f[1], nil) end
  if not listed then
    if f[4] and f[4] ~= '' then redis.call('HSET', key, 'index_ids', '') end
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
  local under = {}
  for _, tag in ipairs(order) do
    if target[tag] then
      tag_bits(prefix, tag, f[1], target[tag])
      under[#under + 1] = tag
    end
  end
  redis.call('HSET', key, 'index_ids', table.concat(under, ','))
end

-- Brand and category filters: one bitmap per folded value, for listed products only.
local function reindex_facets(prefix, sku, listed, brand, category)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'brand_key', 'category_key', 'id')
  local id = f[3]
  if not id then return end
  if f[1] and f[1] ~= '' then redis.call('SETBIT', prefix .. ':bits:brand:' .. f[1], id, 0) end
  if f[2] and f[2] ~= '' then redis.call('SETBIT', prefix .. ':bits:category:' .. f[2], id, 0) end
  if listed then
    if brand ~= '' then redis.call('SETBIT', prefix .. ':bits:brand:' .. brand, id, 1) end
    if category ~= '' then redis.call('SETBIT', prefix .. ':bits:category:' .. category, id, 1) end
    redis.call('HSET', key, 'brand_key', brand, 'category_key', category)
  else
    redis.call('HSET', key, 'brand_key', '', 'category_key', '')
  end
end

-- A product is listed (shown by searches) once tagged, until it fails or is deleted.
local function is_listed(prefix, sku)
  return redis.call('ZSCORE', prefix .. ':tagged', sku) ~= false
end

-- Every index entry of a product: its tag bits, its listing (words, title order) and its facets.
-- words, title, brand and category are what its content gives, or nil to keep what the hash holds
-- (listing) and '' for no brand or category.
local function reindex_product(prefix, sku, words, title, brand, category)
  local listed = is_listed(prefix, sku)
  reindex(prefix, sku, listed)
  reindex_listing(prefix, sku, listed, words, title)
  reindex_facets(prefix, sku, listed, brand, category)
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
