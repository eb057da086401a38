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

-- Put a listed (tagged) product under its effective tags: engine tags, plus pinned, minus suppressed.
-- tag:<id> is scored by dense product id (paging order), tagscore:<id> by the tag's score (relevance).
local function reindex(prefix, sku)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'id', 'tag_ids', 'tag_scores', 'index_ids')
  for _, tag in ipairs(csv(f[4])) do
    redis.call('ZREM', prefix .. ':tag:' .. tag, sku)
    redis.call('ZREM', prefix .. ':tagscore:' .. tag, sku)
  end
  if not f[1] or not redis.call('ZSCORE', prefix .. ':tagged', sku) then
    if f[1] then redis.call('HSET', key, 'index_ids', '') end
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
      listed[#listed + 1] = tag
    end
  end
  redis.call('HSET', key, 'index_ids', table.concat(listed, ','))
end

-- Brand and category filters: one sorted set per folded value, for listed products only.
local function reindex_facets(prefix, sku, brand, category)
  local key = prefix .. ':product:' .. sku
  local f = redis.call('HMGET', key, 'brand_key', 'category_key')
  if f[1] and f[1] ~= '' then redis.call('ZREM', prefix .. ':brand:' .. f[1], sku) end
  if f[2] and f[2] ~= '' then redis.call('ZREM', prefix .. ':category:' .. f[2], sku) end
  local id = redis.call('HGET', key, 'id')
  if id and redis.call('ZSCORE', prefix .. ':tagged', sku) then
    if brand ~= '' then redis.call('ZADD', prefix .. ':brand:' .. brand, id, sku) end
    if category ~= '' then redis.call('ZADD', prefix .. ':category:' .. category, id, sku) end
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
