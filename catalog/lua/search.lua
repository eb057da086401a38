-- Storefront search on the query bitmaps (lib.lua keeps them; bitmaps.lua, prepended, works on them):
-- filters, disjunctive facet counts and one page, in one atomic call, so that counts, page and
-- catalog version agree. Scratch bitmaps are reused from call to call (bitmaps.lua), and replication
-- of this script's effects is switched off: queries never reach the AOF or replicas.
-- ARGV[1]: the query as JSON (catalog/search.py). Returns
--   {catalog version, total, facet counts, page ids, page skus, product rows, corrections, next}
-- where next = {} or {id, relevance value, title member} of the last item when more follow.
if redis.set_repl then redis.set_repl(redis.REPL_NONE) end

local q = cjson.decode(ARGV[1])
local P = q.prefix
local SLICES = 7 -- tag scores are indexed in hundredths, as 7 bit slices
local MAX_EXPANSIONS = 1000 -- vocabulary words one prefix may stand for
scratch.prefix = P .. ':tmp:search:'

local function map(items, fn)
  local out = {}
  for i, item in ipairs(items) do out[i] = fn(item) end
  return out
end

local function score_slices(tag)
  local out = {}
  for i = 1, SLICES do out[i] = P .. ':bits:tag:' .. tag .. ':' .. (i - 1) end
  return out
end

-- Products carrying the tag, with at least min_score when one is asked for.
local thresholded = {}
local function has_tag(tag)
  local carriers = P .. ':bits:tag:' .. tag
  if q.min <= 0 then return carriers end
  thresholded[tag] = thresholded[tag] or at_least(carriers, score_slices(tag), q.min)
  return thresholded[tag]
end

-- q: every term must match a word of the title or brand, a term marked prefix any word it begins.
local function text_match()
  local sets = {}
  for _, term in ipairs(q.terms) do
    local words = {term[1]}
    if term[2] then
      words = redis.call('ZRANGEBYLEX', P .. ':words', '[' .. term[1], '[' .. term[1] .. '\255',
                         'LIMIT', 0, MAX_EXPANSIONS)
    end
    if #words == 0 then return empty() end
    local set = fresh()
    redis.call('SUNIONSTORE', set, unpack(map(words, function(w) return P .. ':word:' .. w end)))
    sets[#sets + 1] = set
  end
  local bits = fresh()
  for _, id in ipairs(redis.call('SINTER', unpack(sets))) do
    redis.call('SETBIT', bits, id, 1)
  end
  return bits
end

-- The base: every filter except the facet groups' selections.
local parts = {P .. ':bits:tagged'}
for _, tag in ipairs(q.all) do parts[#parts + 1] = has_tag(tag) end
if #q.any > 0 then parts[#parts + 1] = union(map(q.any, has_tag)) end
if #q.brands > 0 then
  parts[#parts + 1] = union(map(q.brands, function(b) return P .. ':bits:brand:' .. b end))
end
if #q.categories > 0 then
  parts[#parts + 1] = union(map(q.categories, function(c) return P .. ':bits:category:' .. c end))
end
if #q.terms > 0 then parts[#parts + 1] = text_match() end
local base = intersect(parts)
if #q.exclude > 0 then
  base = minus(base, union(map(q.exclude, function(t) return P .. ':bits:tag:' .. t end)))
end

-- OR within a facet group, AND across groups; a group's own facet counts ignore its own selection.
local selected = {}
for g, tags in ipairs(q.groups) do
  if #tags > 0 then selected[g] = union(map(tags, has_tag)) end
end
local function all_groups_but(skip)
  local keys = {base}
  for g = 1, #q.groups do
    if g ~= skip and selected[g] then keys[#keys + 1] = selected[g] end
  end
  return intersect(keys)
end
local result = all_groups_but(0)
local total = count(result)

local facets = {}
if q.facets then
  for g, tags in ipairs(q.facet_tags) do
    local within = selected[g] and all_groups_but(g) or result
    for _, tag in ipairs(tags) do
      facets[#facets + 1] = count(op('AND', within, has_tag(tag)))
    end
  end
end

local need = q.limit + 1
local page, values, members = {}, {}, {}

-- Relevance: the sum of the matched tags' scores in hundredths (only tags passing min_score count),
-- highest first, newest first on ties; the cursor holds the last (sum, id).
local function relevance_page()
  local sum = {}
  for i, tag in ipairs(q.matched) do
    local slices = score_slices(tag)
    if q.min > 0 then
      slices = map(slices, function(slice) return op('AND', slice, has_tag(tag)) end)
    end
    sum = i == 1 and slices or add(sum, slices)
  end
  local rest = result
  if q.cursor.r then
    local below, at = split_at(result, sum, q.cursor.r)
    for _, id in ipairs(ids_down(at, q.cursor.id - 1, need, {})) do
      page[#page + 1], values[#values + 1] = id, q.cursor.r
    end
    rest = below
  end
  if #page >= need then return end
  local above, at, value = top(rest, sum, need - #page)
  local ranked = {}
  local ids = ids_up(above, 0, need, {})
  for i, value in ipairs(values_of(sum, ids)) do ranked[i] = {ids[i], value} end
  table.sort(ranked, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  for _, item in ipairs(ranked) do
    page[#page + 1], values[#values + 1] = item[1], item[2]
  end
  for _, id in ipairs(ids_down(at, math.huge, need - #page, {})) do
    page[#page + 1], values[#values + 1] = id, value
  end
end

local function sku_of(id)
  return redis.call('ZRANGEBYSCORE', P .. ':tagged', id, id, 'LIMIT', 0, 1)[1]
end

-- Title order: walk the by-title index and keep result members while the result is dense enough;
-- otherwise collect the few results' title keys and order them in a scratch zset (byte order, as
-- ZRANGEBYLEX: Lua's own string comparison follows the server's locale).
local function title_page(key)
  local s = bitmap(key)
  local index = P .. ':by-title'
  local start = q.cursor.k and ('(' .. q.cursor.k) or '-'
  local listed = redis.call('ZCARD', index)
  if total * q.title_walk >= need * listed then
    -- read about as many entries as should hold `need` results, then more if they did not
    local size = math.min(512, math.max(32, math.ceil(need * listed / math.max(total, 1) * 1.25)))
    while #page < need do
      local chunk = redis.call('ZRANGEBYLEX', index, start, '+', 'LIMIT', 0, size)
      for _, member in ipairs(chunk) do
        local id = tonumber(member:sub(-12))
        local byte = s:byte(math.floor(id / 8) + 1)
        if byte and is_set(byte, id % 8) and #page < need then
          page[#page + 1], members[#members + 1] = id, member
        end
      end
      if #chunk < size then break end
      start = '(' .. chunk[#chunk]
      size = 512
    end
    return
  end
  local order = fresh()
  for _, id in ipairs(ids_up(key, 0, total, {})) do
    local sku = sku_of(id)
    local title = sku and redis.call('HGET', P .. ':product:' .. sku, 'title_key')
    if title then redis.call('ZADD', order, 0, title_member(title, id)) end
  end
  for _, member in ipairs(redis.call('ZRANGEBYLEX', order, start, '+', 'LIMIT', 0, need)) do
    page[#page + 1], members[#members + 1] = tonumber(member:sub(-12)), member
  end
end

if q.sort == 'relevance' then
  relevance_page()
elseif q.sort == 'title' then
  title_page(result)
elseif q.sort == 'newest' then
  ids_down(result, (q.cursor.before or math.huge) - 1, need, page)
else
  ids_up(result, (q.cursor.after or 0) + 1, need, page)
end

local nxt = {}
if #page > q.limit then
  nxt = {page[q.limit], values[q.limit] or 0, members[q.limit] or ''}
  page[#page] = nil
end

local skus, rows, corrections = {}, {}, {}
for i, id in ipairs(page) do
  local sku = sku_of(id) or ''
  skus[i] = sku
  rows[i] = redis.call('HMGET', P .. ':product:' .. sku, unpack(q.fields))
  corrections[i] = redis.call('HGETALL', P .. ':corrections:' .. sku)
end

drop_scratch()
return {tonumber(redis.call('GET', P .. ':catalog-version') or '0'), total, facets, page, skus, rows,
        corrections, nxt}
