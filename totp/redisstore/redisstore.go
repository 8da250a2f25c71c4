// Package redisstore implements the totp stores ([totp.ReplayStore],
// [totp.AttemptStore] and [totp.BackupStore]) on Redis, so that several
// instances of an application share one replay guard, one failure count and
// one set of backup codes per user.
//
// For most uses, create one [Store] with [New] and pass it as
// [totp.Config.ReplayStore], [totp.Config.AttemptStore],
// [totp.BackupConfig.Store] and [totp.BackupConfig.AttemptStore].
//
// Every operation is one round trip: each is a single command or a Lua script
// run with EVALSHA (falling back to EVAL when the script is not cached), and
// each script touches one key, so it also works on Redis Cluster. User
// identifiers are hashed (SHA-256) before they become part of a key, so keys
// reveal no user data and cannot collide through separators.
//
// # What it does not do
//
// Replay and attempt records expire by the Redis server's clock, while the
// lock-out window is computed from the time the caller passes in; keep the
// application servers' clocks in sync (NTP). Backup codes are stored in Redis
// as hashes; Redis must be persistent (AOF or RDB) or the codes are lost on
// restart. The store does not authenticate to Redis itself: configure TLS
// and ACLs on the client.
package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/totp"
)

// Compile-time checks that Store implements every totp store interface.
var (
	_ totp.ReplayStore  = (*Store)(nil)
	_ totp.AttemptStore = (*Store)(nil)
	_ totp.BackupStore  = (*Store)(nil)
)

// DefaultKeyPrefix is the key prefix used when [Config.KeyPrefix] is empty.
const DefaultKeyPrefix = "bulwark:totp:"

// Config configures a [Store].
type Config struct {
	// KeyPrefix starts every key. Default "bulwark:totp:". Use distinct
	// prefixes for applications sharing one Redis database.
	KeyPrefix string
}

// Store is a Redis-backed totp store. Create it with [New] (the zero Store
// is not usable); it is safe for concurrent use.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// New returns a Store using rdb (a *redis.Client, *redis.ClusterClient or
// *redis.Ring). It does not contact Redis.
func New(rdb redis.UniversalClient, cfg Config) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("redisstore: nil Redis client")
	}
	prefix := cfg.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	if len(prefix) > 200 || strings.ContainsAny(prefix, "\r\n") {
		return nil, errors.New("redisstore: Config.KeyPrefix must be at most 200 bytes without line breaks")
	}
	return &Store{rdb: rdb, prefix: prefix}, nil
}

// key returns prefix + kind + ":" + hex(SHA-256(user))[:32].
func (s *Store) key(kind, user string) string {
	sum := sha256.Sum256([]byte(user))
	var b strings.Builder
	b.Grow(len(s.prefix) + len(kind) + 1 + 32)
	b.WriteString(s.prefix)
	b.WriteString(kind)
	b.WriteByte(':')
	var h [32]byte
	hex.Encode(h[:], sum[:16])
	b.Write(h[:])
	return b.String()
}

// acceptScript: KEYS[1] last step; ARGV[1] step; ARGV[2] ttl in ms.
// Compare-and-set: store step only if it is greater than the stored one.
var acceptScript = redis.NewScript(`
local last = redis.call('GET', KEYS[1])
if last and tonumber(last) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// maxLuaInt is the largest integer a Lua number (a double) holds exactly.
const maxLuaInt = 1<<53 - 1

// AcceptStep implements [totp.ReplayStore] with one Lua script.
func (s *Store) AcceptStep(ctx context.Context, user string, step uint64, ttl time.Duration) (bool, error) {
	if step > maxLuaInt {
		return false, fmt.Errorf("redisstore: step %d out of range", step)
	}
	ms := max(ttl.Milliseconds(), 1)
	n, err := acceptScript.Run(ctx, s.rdb, []string{s.key("step", user)}, step, ms).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: accept step: %w", err)
	}
	return n == 1, nil
}

// attemptScript: KEYS[1] hash {n = count, u = window end in ms};
// ARGV[1] now ms, ARGV[2] limit, ARGV[3] window ms. Returns {ok, end ms}.
var attemptScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'n', 'u')
local n = tonumber(v[1]) or 0
local u = tonumber(v[2]) or 0
if u <= now then
  n = 0
  u = now + window
end
if n >= limit then
  return {0, u}
end
n = n + 1
if n >= limit then
  u = now + window
end
redis.call('HSET', KEYS[1], 'n', n, 'u', u)
redis.call('PEXPIRE', KEYS[1], u - now)
return {1, u}
`)

// Attempt implements [totp.AttemptStore] with one Lua script. Times are
// passed to Redis in Unix milliseconds.
func (s *Store) Attempt(ctx context.Context, user string, now time.Time, limit int, window time.Duration) (bool, time.Time, error) {
	if limit < 1 || window < time.Millisecond {
		return false, time.Time{}, fmt.Errorf("redisstore: attempt: limit %d or window %v out of range", limit, window)
	}
	nowMS := now.UnixMilli()
	res, err := attemptScript.Run(ctx, s.rdb, []string{s.key("attempts", user)}, nowMS, limit, window.Milliseconds()).Int64Slice()
	if err != nil {
		return false, time.Time{}, fmt.Errorf("redisstore: attempt: %w", err)
	}
	if len(res) != 2 {
		return false, time.Time{}, fmt.Errorf("redisstore: attempt: unexpected reply of %d values", len(res))
	}
	// Rebuild the end relative to now to keep now's location and monotonic
	// reading out of the picture.
	end := now.Add(time.Duration(res[1]-nowMS) * time.Millisecond)
	return res[0] == 1, end, nil
}

// ResetAttempts implements [totp.AttemptStore].
func (s *Store) ResetAttempts(ctx context.Context, user string) error {
	if err := s.rdb.Del(ctx, s.key("attempts", user)).Err(); err != nil {
		return fmt.Errorf("redisstore: reset attempts: %w", err)
	}
	return nil
}

// setScript: KEYS[1] set of hashes; ARGV the new members. Replaces the set.
var setScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
if #ARGV > 0 then
  redis.call('SADD', KEYS[1], unpack(ARGV))
end
return 1
`)

// SetBackupCodes implements [totp.BackupStore] with one Lua script, so the
// old set is never visible half-replaced.
func (s *Store) SetBackupCodes(ctx context.Context, user string, hashes [][]byte) error {
	args := make([]any, len(hashes))
	for i, h := range hashes {
		args[i] = h
	}
	if err := setScript.Run(ctx, s.rdb, []string{s.key("backup", user)}, args...).Err(); err != nil {
		return fmt.Errorf("redisstore: set backup codes: %w", err)
	}
	return nil
}

// BackupCodes implements [totp.BackupStore] with SMEMBERS.
func (s *Store) BackupCodes(ctx context.Context, user string) ([][]byte, error) {
	members, err := s.rdb.SMembers(ctx, s.key("backup", user)).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: backup codes: %w", err)
	}
	if len(members) == 0 {
		return nil, nil
	}
	out := make([][]byte, len(members))
	for i, m := range members {
		out[i] = []byte(m)
	}
	return out, nil
}

// ConsumeBackupCode implements [totp.BackupStore] with SREM, which Redis runs
// atomically: of concurrent removals of one member exactly one returns 1.
func (s *Store) ConsumeBackupCode(ctx context.Context, user string, hash []byte) (bool, error) {
	n, err := s.rdb.SRem(ctx, s.key("backup", user), hash).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: consume backup code: %w", err)
	}
	return n == 1, nil
}
