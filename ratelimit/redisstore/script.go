package redisstore

import "github.com/redis/go-redis/v9"

// gcra runs gcraScript: EVALSHA, and EVAL when the server answers NOSCRIPT
// (after a restart or SCRIPT FLUSH), which caches the script again.
var gcra = redis.NewScript(gcraScript)

// gcraScript makes one GCRA decision atomically on the Redis server. It
// works in whole microseconds, which doubles represent exactly until the
// year 2255.
//
//	KEYS[1]  the namespaced key (one key per decision: Cluster-safe)
//	ARGV[1]  emission interval, µs
//	ARGV[2]  burst tolerance (interval * burst), µs
//	ARGV[3]  cost n (0 peeks)
//	ARGV[4]  optional current time, µs (tests only; normally server TIME)
//
// It returns {allowed (0/1), remaining, retry-after µs, reset-after µs};
// remaining is never negative, even when the stored TAT was set under a
// looser limit for the same key.
// The stored value is the theoretical arrival time (TAT) in µs; the key
// expires when the budget is full again, so idle keys vanish by
// themselves. Denied or zero-cost decisions write nothing.
const gcraScript = `
if redis.replicate_commands then
  redis.replicate_commands() -- Redis < 5: allow TIME before a write
end
local interval = tonumber(ARGV[1])
local tol = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local now
if ARGV[4] then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then
  tat = now
end
local newtat = tat + interval * n
local allowat = newtat - tol
if now < allowat then
  return {0, math.max(0, math.floor((tol - (tat - now)) / interval)), allowat - now, tat - now}
end
if n > 0 then
  redis.call('SET', KEYS[1], string.format('%d', newtat), 'PX', math.ceil((newtat - now) / 1000))
end
return {1, math.floor((now - allowat) / interval), 0, newtat - now}
`
