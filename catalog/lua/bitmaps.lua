-- Algebra on bitmaps over dense product ids, for search.lua (prepended to it). Results are scratch
-- keys named <scratch.prefix><n>, numbered from 1 in every call and kept between calls: BITOP into an
-- existing 12.5 KB key reuses its memory (2 µs) where a new key costs an allocation now and a free at
-- the end (9 µs), and a relevance query makes a hundred of them. Their contents never matter between
-- calls (a BITOP replaces its destination whatever it held); the keys accumulated into with SETBIT or
-- ZADD are emptied first and dropped at the end, and so are those beyond KEEP.
-- A bit-sliced integer ("slices") is a list of bitmaps, least significant first: member id's value is
-- the sum of 2^(i-1) over the slices i holding its bit (O'Neil and Quass, bit-sliced indexes).
local scratch = {prefix = nil, used = 0, filled = {}}

local function tmp()
  scratch.used = scratch.used + 1
  return scratch.prefix .. scratch.used
end

-- A scratch key to accumulate into: emptied now, dropped by drop_scratch().
local function fresh()
  local key = tmp()
  redis.call('DEL', key)
  scratch.filled[#scratch.filled + 1] = key
  return key
end

-- Scratch bitmaps kept for the next call: enough for a relevance query over three tags with facets;
-- a larger query's extra keys are dropped, so that they hold at most KEEP bitmaps of the catalog's
-- size (1.6 MB at 100,000 products).
local KEEP = 128

local function drop_scratch()
  local drop = scratch.filled
  for n = KEEP + 1, scratch.used do drop[#drop + 1] = scratch.prefix .. n end
  for i = 1, #drop, 100 do
    redis.call('DEL', unpack(drop, i, math.min(i + 99, #drop)))
  end
end

local function empty()
  return scratch.prefix .. 'empty' -- never written: reads as the empty bitmap
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

-- Members of set whose sliced value is at least n, most significant slice first: above holds
-- "greater on the slices seen", equal "equal so far".
local function at_least(set, slices, n)
  local above, equal = nil, set
  for i = #slices, 1, -1 do
    if bit_of(n, i - 1) == 1 then
      equal = op('AND', equal, slices[i])
    else
      local greater = op('AND', equal, slices[i])
      above = above and op('OR', above, greater) or greater
      equal = op('XOR', equal, greater)
    end
  end
  return above and op('OR', above, equal) or equal
end

-- a + b, bit-sliced, with a ripple-carry adder over whole bitmaps.
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

-- Within set: {value < r, value == r}.
local function split_at(set, slices, r)
  if r >= 2 ^ #slices then return set, empty() end
  local below, at = nil, set
  for i = #slices, 1, -1 do
    if bit_of(r, i - 1) == 1 then
      local zero = minus(at, slices[i])
      below = below and op('OR', below, zero) or zero
      at = op('AND', at, slices[i])
    else
      at = minus(at, slices[i])
    end
  end
  return below or empty(), at
end

-- The k highest of set: {members above the boundary value (fewer than k), members at it, the value}.
local function top(set, slices, k)
  local above, above_n, at, value = nil, 0, set, 0
  for i = #slices, 1, -1 do
    local with = op('AND', at, slices[i])
    local n = count(with)
    if above_n + n > k then
      at, value = with, value + 2 ^ (i - 1)
    else
      above = above and op('OR', above, with) or with
      above_n = above_n + n
      at = op('XOR', at, with)
    end
  end
  return above or empty(), at, value
end

-- Walking a bitmap: bit <id> is bit (7 - id % 8) of byte id // 8, most significant first.
local function bitmap(key)
  return redis.call('GET', key) or ''
end

local function is_set(byte, b)
  return math.floor(byte / 2 ^ (7 - b)) % 2 == 1
end

-- The sliced values of ids: one BITFIELD per slice reads every id's bit (rather than one GETBIT per
-- id and slice, or a GET of the whole 12.5 KB slice).
local function values_of(slices, ids)
  local out = {}
  for j = 1, #ids do out[j] = 0 end
  if #ids == 0 then return out end
  for i, slice in ipairs(slices) do
    local call = {'BITFIELD', slice}
    for _, id in ipairs(ids) do
      call[#call + 1], call[#call + 2], call[#call + 3] = 'GET', 'u1', id
    end
    for j, bit in ipairs(redis.call(unpack(call))) do
      out[j] = out[j] + bit * 2 ^ (i - 1)
    end
  end
  return out
end

-- The first byte at or after byte i (1-based) of bitmap key (its value s) with a set bit, or nil.
-- A neighbour is looked at directly; a run of zero bytes is skipped by BITPOS, in C a word at a
-- time (a Lua pattern would step through it byte by byte: 120 µs over an empty 12.5 KB).
local function next_set_byte(key, s, i)
  if i > #s then return nil end
  if s:byte(i) ~= 0 then return i end
  local bit = redis.call('BITPOS', key, 1, i - 1)
  if bit < 0 then return nil end
  return math.floor(bit / 8) + 1
end

-- Ids of key's members from `from` upwards, appended to out until it holds want.
local function ids_up(key, from, want, out)
  local s = bitmap(key)
  local i = next_set_byte(key, s, math.floor(from / 8) + 1)
  while i and #out < want do
    local byte = s:byte(i)
    for b = 0, 7 do
      local id = (i - 1) * 8 + b
      if id >= from and is_set(byte, b) and #out < want then out[#out + 1] = id end
    end
    i = next_set_byte(key, s, i + 1)
  end
  return out
end

-- Ids of key's members from `from` downwards, appended to out until it holds want. A sparse bitmap
-- is read upwards (BITPOS skips its gaps) and reversed; a dense one walked down its bytes.
local function ids_down(key, from, want, out)
  if count(key) <= 4 * want then
    local all = ids_up(key, 0, math.huge, {})
    for j = #all, 1, -1 do
      if #out >= want then break end
      if all[j] <= from then out[#out + 1] = all[j] end
    end
    return out
  end
  local s = bitmap(key)
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
