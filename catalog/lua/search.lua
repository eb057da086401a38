-- Storefront search on the query bitmaps (lib.lua keeps them): filters, disjunctive facet counts and
-- one page of products, in one atomic call, so counts, page and catalog version agree.
-- Intermediate bitmaps are scratch keys created and deleted within this call; replication of this
-- script's effects is switched off, so queries never reach the AOF or replicas.
-- ARGV[1]: the query as JSON (catalog/search.py). Returns
--   {catalog version, total, facet counts, page ids, page skus, product rows, corrections, next}
-- where next = {} or {id, relevance value, title member} of the last item when more follow.
if redis.set_repl then redis.set_repl(redis.REPL_NONE) end

local q = cjson.decode(ARGV[1])
local P = q.prefix
local SLICES = 7 -- tag scores are indexed in hundredths, as 7 bit slices
local MAX_EXPANSIONS = 1000 -- vocabulary words one prefix may stand for
local EMPTY = P .. ':tmp:search:empty' -- never written: reads as the empty bitmap
local scratch = {}

local function tmp()
  local key = P .. ':tmp:search:' .. (#scratch + 1)
  scratch[#scratch + 1] = key
  return key
end

local function op(kind, ...)
  local dest = tmp()
  redis.call('BITOP', kind, dest, ...)
  return dest
end

local function count(key)
  return redis.call('BITCOUNT', key)
end

-- a AND NOT b, exact whatever the lengths (BITOP NOT only inverts up to the key's own length)
local function minus(a, b)
  return op('XOR', a, op('AND', a, b))
end

local function union(keys)
  if #keys == 1 then return keys[1] end
  return op('OR', unpack(keys))
end

local function intersect(keys)
  if #keys == 1 then return keys[1] end
  return op('AND', unpack(keys))
end

local function bit_of(n, i)
  return math.floor(n / 2 ^ i) % 2
end

-- Products carrying a tag with at least min_score: a bit-sliced "greater or equal", most significant
-- slice first (O'Neil and Quass): above holds "greater on the slices seen", equal "equal so far".
local thresholded = {}
local function has_tag(tag)
  local base = P .. ':bits:tag:' .. tag
  if q.min <= 0 then return base end
  if thresholded[tag] then return thresholded[tag] end
  local above, equal = nil, base
  for i = SLICES - 1, 0, -1 do
    local slice = base .. ':' .. i
    if bit_of(q.min, i) == 1 then
      equal = op('AND', equal, slice)
    else
      local greater = op('AND', equal, slice)
      above = above and op('OR', above, greater) or greater
      equal = op('XOR', equal, greater)
    end
  end
  thresholded[tag] = above and op('OR', above, equal) or equal
  return thresholded[tag]
end

local function map(items, fn)
  local out = {}
  for i, item in ipairs(items) do out[i] = fn(item) end
  return out
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
    if #words == 0 then return EMPTY end
    local set = tmp()
    redis.call('SUNIONSTORE', set, unpack(map(words, function(w) return P .. ':word:' .. w end)))
    sets[#sets + 1] = set
  end
  local bits = tmp()
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

-- Walking a bitmap: bit <id> is bit (7 - id % 8) of byte id // 8, most significant first.
local function bitmap(key)
  return redis.call('GET', key) or ''
end

local function is_set(byte, b)
  return math.floor(byte / 2 ^ (7 - b)) % 2 == 1
end

local function ids_up(s, from, want, out)
  local i = math.floor(from / 8) + 1
  while i and i <= #s and #out < want do
    local byte = s:byte(i)
    for b = 0, 7 do
      local id = (i - 1) * 8 + b
      if id >= from and is_set(byte, b) and #out < want then out[#out + 1] = id end
    end
    i = s:find('[^%z]', i + 1) -- skip zero bytes in C, not in Lua
  end
  return out
end

local function ids_down(s, from, want, out)
  local reversed = s:reverse() -- byte i of s is byte #s - i + 1 of reversed
  local i = math.min(math.floor(from / 8) + 1, #s)
  while i >= 1 and #out < want do
    local byte = s:byte(i)
    for b = 7, 0, -1 do
      local id = (i - 1) * 8 + b
      if id <= from and is_set(byte, b) and #out < want then out[#out + 1] = id end
    end
    local j = reversed:find('[^%z]', #s - i + 2)
    if not j then break end
    i = #s - j + 1
  end
  return out
end

-- Relevance: the sum of the matched tags' scores (hundredths), as a bit-sliced sum (least
-- significant slice first) built with a ripple-carry adder over whole bitmaps.
local function score_slices(tag)
  local base = P .. ':bits:tag:' .. tag
  local out = {}
  for i = 0, SLICES - 1 do
    out[i + 1] = q.min > 0 and op('AND', base .. ':' .. i, has_tag(tag)) or (base .. ':' .. i)
  end
  return out
end

local function add(a, b)
  local out, carry = {}, nil
  for i = 1, math.max(#a, #b) do
    local x, y = a[i], b[i]
    if x and y then
      local either, both = op('XOR', x, y), op('AND', x, y)
      if carry then
        out[i] = op('XOR', either, carry)
        carry = op('OR', both, op('AND', carry, either))
      else
        out[i], carry = either, both
      end
    else
      local z = x or y
      if carry then
        out[i], carry = op('XOR', z, carry), op('AND', z, carry)
      else
        out[i] = z
      end
    end
  end
  if carry then out[#out + 1] = carry end
  return out
end

local function value_of(sum, id)
  local value = 0
  for i, slice in ipairs(sum) do
    value = value + redis.call('GETBIT', slice, id) * 2 ^ (i - 1)
  end
  return value
end

-- Within set: {sum < r, sum == r}.
local function split_at(set, sum, r)
  if r >= 2 ^ #sum then return set, EMPTY end
  local below, at = nil, set
  for i = #sum, 1, -1 do
    if bit_of(r, i - 1) == 1 then
      local zero = minus(at, sum[i])
      below = below and op('OR', below, zero) or zero
      at = op('AND', at, sum[i])
    else
      at = minus(at, sum[i])
    end
  end
  return below or EMPTY, at
end

-- The k highest of set: {members above the boundary value (fewer than k), members at it, the value}.
local function top(set, sum, k)
  local above, above_n, at, value = nil, 0, set, 0
  for i = #sum, 1, -1 do
    local with = op('AND', at, sum[i])
    local n = count(with)
    if above_n + n > k then
      at, value = with, value + 2 ^ (i - 1)
    else
      above = above and op('OR', above, with) or with
      above_n = above_n + n
      at = op('XOR', at, with)
    end
  end
  return above or EMPTY, at, value
end

local need = q.limit + 1
local page, values, members = {}, {}, {}

local function relevance_page()
  local sum = {}
  for i, tag in ipairs(q.matched) do
    sum = i == 1 and score_slices(tag) or add(sum, score_slices(tag))
  end
  local rest = result
  if q.cursor.r then
    local below, at = split_at(result, sum, q.cursor.r)
    for _, id in ipairs(ids_down(bitmap(at), q.cursor.id - 1, need, {})) do
      page[#page + 1], values[#values + 1] = id, q.cursor.r
    end
    rest = below
  end
  if #page >= need then return end
  local above, at, value = top(rest, sum, need - #page)
  local ranked = {}
  for _, id in ipairs(ids_up(bitmap(above), 0, need, {})) do
    ranked[#ranked + 1] = {id, value_of(sum, id)}
  end
  table.sort(ranked, function(a, b)
    if a[2] ~= b[2] then return a[2] > b[2] end
    return a[1] > b[1]
  end)
  for _, item in ipairs(ranked) do
    page[#page + 1], values[#values + 1] = item[1], item[2]
  end
  for _, id in ipairs(ids_down(bitmap(at), math.huge, need - #page, {})) do
    page[#page + 1], values[#values + 1] = id, value
  end
end

local function sku_of(id)
  return redis.call('ZRANGEBYSCORE', P .. ':tagged', id, id, 'LIMIT', 0, 1)[1]
end

-- Title order: walk the by-title index and keep result members while the result is dense enough;
-- otherwise collect the few results' title keys and order them in a scratch zset (byte order, as
-- ZRANGEBYLEX: Lua's own string comparison follows the server's locale).
local function title_page(s)
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
  local order = tmp()
  for _, id in ipairs(ids_up(s, 0, total, {})) do
    local sku = sku_of(id)
    local member = sku and redis.call('HGET', P .. ':product:' .. sku, 'index_title')
    if member and member ~= '' then redis.call('ZADD', order, 0, member) end
  end
  for _, member in ipairs(redis.call('ZRANGEBYLEX', order, start, '+', 'LIMIT', 0, need)) do
    page[#page + 1], members[#members + 1] = tonumber(member:sub(-12)), member
  end
end

if q.sort == 'relevance' then
  relevance_page()
elseif q.sort == 'title' then
  title_page(bitmap(result))
elseif q.sort == 'newest' then
  ids_down(bitmap(result), (q.cursor.before or math.huge) - 1, need, page)
else
  ids_up(bitmap(result), (q.cursor.after or 0) + 1, need, page)
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

for i = 1, #scratch, 100 do
  redis.call('DEL', unpack(scratch, i, math.min(i + 99, #scratch)))
end

return {tonumber(redis.call('GET', P .. ':catalog-version') or '0'), total, facets, page, skus, rows,
        corrections, nxt}
