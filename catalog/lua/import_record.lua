-- Record what one import job achieved, in the same MULTI as (right after) its commit_tags call, so
-- that a chunk's tags and its import's counters move together. Idempotent: an outcome is stored per
-- sku and a counter moves only when a sku's outcome changes, so a retried or duplicated job (a worker
-- killed after its commit, a chunk re-run by RQ) never counts a product twice.
-- ARGV: prefix, job-id prefix of this import, now, ttl, then pairs: sku, hash this job committed
-- ('' when the job did not include the product in its commit: it was not pending when read).
-- Returns the number of products this job's commit wrote.
local prefix, jobs, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', KEYS[1], 'settled') == '1' then
  return 0  -- a late duplicate of a job of a settled import: nothing left to count
end
local written, recorded = 0, 0
for i = 5, #ARGV, 2 do
  local sku, hash = ARGV[i], ARGV[i + 1]
  local p = redis.call('HMGET', prefix .. ':product:' .. sku, 'hash', 'status', 'job_id')
  local outcome = nil
  if not p[1] then
    outcome = 'superseded'  -- deleted since it was accepted
  elseif p[2] == 'tagged' or p[2] == 'failed' then
    outcome = p[2]
    -- commit_tags writes a product exactly when its hash is the one the job read
    if hash ~= '' and p[1] == hash then written = written + 1 end
  elseif string.sub(p[3] or '', 1, #jobs) ~= jobs then
    outcome = 'superseded'  -- pending again under a write from outside this import: that job tags it
  end
  -- else pending under a later job of this import (the sku repeats in the file): that job counts it
  if outcome then
    local old = redis.call('HGET', KEYS[2], sku)
    if old ~= outcome then
      if old then redis.call('HINCRBY', KEYS[1], old, -1) end
      redis.call('HINCRBY', KEYS[1], outcome, 1)
      redis.call('HSET', KEYS[2], sku, outcome)
    end
    recorded = recorded + 1
  end
end
if written > 0 then redis.call('HINCRBY', KEYS[1], 'written', written) end
if recorded > 0 then
  redis.call('HSET', KEYS[1], 'updated_at', now)
  redis.call('HSETNX', KEYS[1], 'first_done_at', now)
  if redis.call('HGET', KEYS[1], 'status') == 'queued' then
    redis.call('HSET', KEYS[1], 'status', 'running')
  end
end
settle(now, ttl)
return written
