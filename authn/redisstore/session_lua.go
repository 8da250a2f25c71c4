// Lua scripts of the Redis SessionStore. Each operation is one script, so
// it is atomic and costs one round trip (EVALSHA, with EVAL on NOSCRIPT).
//
// Key layout (P = prefix):
//
//	P s:<hex id>   hash: u user, k index key, c created, x absolute expiry,
//	               a auth time, l last seen (unix ms), m methods, ua, ip,
//	               d data (JSON); expires with the session
//	P u:<hex sha256(user)[:16]>
//	               sorted set of <hex id> scored by created; expires with
//	               the longest-lived member, pruned on every create
//
// The scripts touch session keys named by ARGV (the index's members), so
// they run on a single Redis server or a Sentinel group, not on Cluster.

package redisstore

// sessionCreateBody stores a session and maintains the user index.
// KEYS: 1 session key, 2 index key.
// ARGV: 1 session key prefix, 2 member, 3 user, 4 created, 5 expires,
// 6 auth time, 7 last seen, 8 methods, 9 user agent, 10 ip, 11 data,
// 12 max per user, 13 now, 14 idle (ms).
const sessionCreateBody = `
local now = tonumber(ARGV[13])
local idle = tonumber(ARGV[14])
local x = tonumber(ARGV[5])
local ttl = math.min(tonumber(ARGV[7]) + idle, x) - now
if ttl <= 0 then return 1 end
redis.call('HSET', KEYS[1], 'u', ARGV[3], 'k', KEYS[2], 'c', ARGV[4], 'x', ARGV[5],
  'a', ARGV[6], 'l', ARGV[7], 'm', ARGV[8], 'ua', ARGV[9], 'ip', ARGV[10], 'd', ARGV[11])
redis.call('PEXPIRE', KEYS[1], ttl)
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local k = ARGV[1] .. m
  local v = redis.call('HMGET', k, 'x', 'l')
  if not v[1] then
    redis.call('ZREM', KEYS[2], m)
  elseif now >= tonumber(v[1]) or now >= tonumber(v[2]) + idle then
    redis.call('ZREM', KEYS[2], m)
    redis.call('DEL', k)
  end
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[12])
if extra > 0 then
  local old = redis.call('ZPOPMIN', KEYS[2], extra)
  for i = 1, #old, 2 do redis.call('DEL', ARGV[1] .. old[i]) end
end
if redis.call('PTTL', KEYS[2]) < x - now then
  redis.call('PEXPIRE', KEYS[2], x - now)
end
return 1
`

// sessionReplaceLua deletes a valid old session of the same user and
// creates the new one. KEYS: as create, plus 3 old session key.
// ARGV: as create, plus 15 old member.
const sessionReplaceLua = `
local o = redis.call('HMGET', KEYS[3], 'u', 'x', 'l')
if not o[1] or o[1] ~= ARGV[3] then return 0 end
local t = tonumber(ARGV[13])
if t >= tonumber(o[2]) or t >= tonumber(o[3]) + tonumber(ARGV[14]) then return 0 end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[15])
` + sessionCreateBody

// sessionValidateLua checks a session at the caller's time and touches it
// at most once per touch interval. KEYS: 1 session key. ARGV: 1 now,
// 2 idle, 3 touch (ms). Returns a reason code (2 unknown, 3 idle,
// 4 absolute) or the fields u, c, x, a, l, m, ua, ip, d.
const sessionValidateLua = `
local v = redis.call('HMGET', KEYS[1], 'u', 'c', 'x', 'a', 'l', 'm', 'ua', 'ip', 'd')
if not v[1] then return 2 end
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local x = tonumber(v[3])
local l = tonumber(v[5])
if now >= x then return 4 end
if now >= l + idle then return 3 end
if now - l >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'l', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.min(now + idle, x) - now)
  v[5] = ARGV[1]
end
return v
`

// sessionDeleteLua deletes one session, optionally only if it belongs to a
// user. KEYS: 1 session key. ARGV: 1 user or "", 2 member.
const sessionDeleteLua = `
local v = redis.call('HMGET', KEYS[1], 'u', 'k')
if not v[1] then return 0 end
if ARGV[1] ~= '' and v[1] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('ZREM', v[2], ARGV[2])
return 1
`

// sessionDeleteUserLua deletes every indexed session of a user but one.
// KEYS: 1 index key. ARGV: 1 session key prefix, 2 member to keep.
const sessionDeleteUserLua = `
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if m ~= ARGV[2] then
    n = n + redis.call('DEL', ARGV[1] .. m)
    redis.call('ZREM', KEYS[1], m)
  end
end
return n
`

// sessionListLua returns the indexed sessions of a user, oldest first, as
// pairs of member and fields (u, c, x, a, l, m, ua, ip, d).
// KEYS: 1 index key. ARGV: 1 session key prefix.
const sessionListLua = `
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('HMGET', ARGV[1] .. m, 'u', 'c', 'x', 'a', 'l', 'm', 'ua', 'ip', 'd')
  if v[1] then
    out[#out + 1] = m
    out[#out + 1] = v
  end
end
return out
`
