-- Cancel an import that is queued or running. Returns the status it has afterwards (nil: no import).
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'queued' or status == 'running' then
  redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelled_at', ARGV[1], 'updated_at', ARGV[1])
  return 'cancelled'
end
return status
