// Lua scripts of the Redis RefreshStore; each operation is one atomic
// script.
//
// Key layout (P = prefix):
//
//	P f:<hex family>  hash: u user, k index key, c created, x absolute
//	                  expiry, a auth time, l last used (unix ms), m methods,
//	                  d data (JSON), cur current token, acc access ID;
//	                  expires at the idle or absolute deadline
//	P l:<hex family>  list of the family's latest token IDs (at most MaxKept)
//	P t:<hex token>   the family ID of a current or remembered token
//	P u:<hex sha256(user)[:16]>
//	                  sorted set of family IDs scored by created
//
// Token keys are SHA-256 hashes of refresh tokens; a dump of Redis cannot
// be replayed. Like the session scripts, these name keys in ARGV and need a
// single server or Sentinel group, not Cluster.

package redisstore

// refreshKillLua defines kill(prefix, family), which deletes a family, its
// token keys and its index entry.
const refreshKillLua = `
local function kill(p, fid)
  local fk = p .. 'f:' .. fid
  local lk = p .. 'l:' .. fid
  for _, t in ipairs(redis.call('LRANGE', lk, 0, -1)) do
    redis.call('DEL', p .. 't:' .. t)
  end
  local ik = redis.call('HGET', fk, 'k')
  if ik then redis.call('ZREM', ik, fid) end
  redis.call('DEL', fk, lk)
end
`

// refreshCreateLua stores a new family and returns the access IDs of the
// families evicted by the per-user cap.
// KEYS: 1 family, 2 list, 3 token, 4 index.
// ARGV: 1 prefix, 2 family, 3 token, 4 user, 5 created, 6 expires,
// 7 auth time, 8 last used, 9 methods, 10 data, 11 access, 12 now,
// 13 idle, 14 max per user.
const refreshCreateLua = refreshKillLua + `
local now = tonumber(ARGV[12])
local idle = tonumber(ARGV[13])
local x = tonumber(ARGV[6])
local life = x - now
if life <= 0 then return {} end
redis.call('HSET', KEYS[1], 'u', ARGV[4], 'k', KEYS[4], 'c', ARGV[5], 'x', ARGV[6], 'a', ARGV[7],
  'l', ARGV[8], 'm', ARGV[9], 'd', ARGV[10], 'cur', ARGV[3], 'acc', ARGV[11])
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[8]) + idle, x) - now)
redis.call('DEL', KEYS[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], life)
redis.call('SET', KEYS[3], ARGV[2], 'PX', life)
for _, m in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  local v = redis.call('HMGET', ARGV[1] .. 'f:' .. m, 'x', 'l')
  if not v[1] then
    redis.call('ZREM', KEYS[4], m)
  elseif now >= tonumber(v[1]) or now >= tonumber(v[2]) + idle then
    kill(ARGV[1], m)
  end
end
redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2])
local evicted = {}
local extra = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[14])
if extra > 0 then
  for _, m in ipairs(redis.call('ZRANGE', KEYS[4], 0, extra - 1)) do
    local acc = redis.call('HGET', ARGV[1] .. 'f:' .. m, 'acc')
    if acc then evicted[#evicted + 1] = acc end
    kill(ARGV[1], m)
    redis.call('ZREM', KEYS[4], m)
  end
end
if redis.call('PTTL', KEYS[4]) < life then redis.call('PEXPIRE', KEYS[4], life) end
return evicted
`

// refreshRotateLua consumes a token. Returns {2} for an unknown token, or
// {reason, family, u, c, x, a, l, m, d, acc} with the family as it was.
// KEYS: 1 token, 2 next token.
// ARGV: 1 prefix, 2 token, 3 next, 4 access, 5 now, 6 idle, 7 max kept.
const refreshRotateLua = refreshKillLua + `
local fid = redis.call('GET', KEYS[1])
if not fid then return {2} end
local fk = ARGV[1] .. 'f:' .. fid
local f = redis.call('HMGET', fk, 'u', 'c', 'x', 'a', 'l', 'm', 'd', 'acc', 'cur')
if not f[1] then return {2} end
local now = tonumber(ARGV[5])
local idle = tonumber(ARGV[6])
local x = tonumber(f[3])
local reason = 0
if now >= x then
  reason = 4
elseif now >= tonumber(f[5]) + idle then
  reason = 3
elseif f[9] ~= ARGV[2] then
  reason = 5
end
local out = {reason, fid, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]}
if reason ~= 0 then
  kill(ARGV[1], fid)
  return out
end
redis.call('HSET', fk, 'cur', ARGV[3], 'l', ARGV[5], 'acc', ARGV[4])
redis.call('PEXPIRE', fk, math.min(now + idle, x) - now)
redis.call('SET', KEYS[2], fid, 'PX', x - now)
local lk = ARGV[1] .. 'l:' .. fid
redis.call('RPUSH', lk, ARGV[3])
local extra = redis.call('LLEN', lk) - tonumber(ARGV[7])
for _ = 1, extra do
  redis.call('DEL', ARGV[1] .. 't:' .. redis.call('LPOP', lk))
end
return out
`

// refreshAliveLua: KEYS: 1 family. ARGV: 1 access. Returns 1 or 0.
const refreshAliveLua = `
if redis.call('HGET', KEYS[1], 'acc') == ARGV[1] then return 1 end
return 0
`

// refreshRevokeLua kills the family of a token and returns {access} or {}.
// KEYS: 1 token. ARGV: 1 prefix.
const refreshRevokeLua = refreshKillLua + `
local fid = redis.call('GET', KEYS[1])
if not fid then return {} end
local acc = redis.call('HGET', ARGV[1] .. 'f:' .. fid, 'acc')
if not acc then return {} end
kill(ARGV[1], fid)
return {acc}
`

// refreshRevokeUserLua kills every family of a user and returns their
// access IDs. KEYS: 1 index. ARGV: 1 prefix.
const refreshRevokeUserLua = refreshKillLua + `
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local acc = redis.call('HGET', ARGV[1] .. 'f:' .. m, 'acc')
  if acc then out[#out + 1] = acc end
  kill(ARGV[1], m)
end
redis.call('DEL', KEYS[1])
return out
`
