package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/redis/go-redis/v9"
)

// DefaultPrefix is the key prefix used when a config leaves Prefix empty.
const DefaultPrefix = "bulwark:authn:"

// TokenStoreConfig configures a [TokenStore].
type TokenStoreConfig struct {
	// Client is the Redis client. Required. Any go-redis client that runs
	// scripts works (*redis.Client, *redis.Ring with one shard, failover
	// clients); see the package doc about Cluster.
	Client redis.Scripter

	// Prefix starts every key the store writes. Default DefaultPrefix
	// ("bulwark:authn:"). Give each application sharing a Redis its own.
	Prefix string
}

// TokenStore is an [authn.TokenStore] backed by Redis. Create one with
// [NewTokenStore]; it is safe for concurrent use.
//
// Layout: the record for token hash H lives at <prefix>tok:<hex H>, a
// string holding the subject index ID, the expiry and the purpose and
// subject, expiring at the token's expiry. <prefix>tsub:<hex S>, where S
// is SHA-256 of the length-prefixed purpose and subject, is a set of the
// subject's token hashes, used to replace and revoke them.
type TokenStore struct {
	rdb    redis.Scripter
	prefix string
}

var _ authn.TokenStore = (*TokenStore)(nil)

// NewTokenStore validates cfg and returns a TokenStore.
func NewTokenStore(cfg TokenStoreConfig) (*TokenStore, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: TokenStoreConfig.Client is required")
	}
	p := cfg.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return &TokenStore{rdb: cfg.Client, prefix: p}, nil
}

// tokenSaveScript stores a record and indexes it under its subject, first
// deleting the subject's other records when ARGV[3] is "1".
// KEYS: record, index. ARGV: value, expiry ms, replace, member, record key
// prefix.
var tokenSaveScript = redis.NewScript(`
if ARGV[3] == '1' then
  for _, m in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    redis.call('DEL', ARGV[5] .. m)
  end
  redis.call('DEL', KEYS[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = tonumber(ARGV[2]) - now
if want < 1 then want = 1 end
if redis.call('PTTL', KEYS[2]) < want then
  redis.call('PEXPIRE', KEYS[2], want)
end
return 1
`)

// tokenConsumeScript atomically reads and deletes a record and removes it
// from its subject index. KEYS: record. ARGV: index key prefix, member.
var tokenConsumeScript = redis.NewScript(`
local v = redis.call('GETDEL', KEYS[1])
if not v then return false end
redis.call('SREM', ARGV[1] .. string.sub(v, 1, 64), ARGV[2])
return v
`)

// tokenDeleteScript deletes every record of a subject and the index.
// KEYS: index. ARGV: record key prefix.
var tokenDeleteScript = redis.NewScript(`
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('DEL', ARGV[1] .. m)
end
redis.call('DEL', KEYS[1])
return 1
`)

// SaveToken implements [authn.TokenStore].
func (s *TokenStore) SaveToken(ctx context.Context, rec authn.TokenRecord, replace bool) error {
	if len(rec.Purpose) > 0xFFFF {
		return errors.New("redisstore: token purpose longer than 65535 bytes")
	}
	member := hex.EncodeToString(rec.Key[:])
	sub := tokenSubjectID(rec.Purpose, rec.Subject)
	rep := "0"
	if replace {
		rep = "1"
	}
	err := tokenSaveScript.Run(ctx, s.rdb,
		[]string{s.prefix + "tok:" + member, s.prefix + "tsub:" + sub},
		tokenEncode(sub, rec), rec.ExpiresAt.UnixMilli(), rep, member, s.prefix+"tok:").Err()
	if err != nil {
		return fmt.Errorf("redisstore: save token: %w", err)
	}
	return nil
}

// ConsumeToken implements [authn.TokenStore].
func (s *TokenStore) ConsumeToken(ctx context.Context, key [authn.TokenKeySize]byte) (authn.TokenRecord, bool, error) {
	member := hex.EncodeToString(key[:])
	v, err := tokenConsumeScript.Run(ctx, s.rdb, []string{s.prefix + "tok:" + member},
		s.prefix+"tsub:", member).Text()
	if errors.Is(err, redis.Nil) {
		return authn.TokenRecord{}, false, nil
	}
	if err != nil {
		return authn.TokenRecord{}, false, fmt.Errorf("redisstore: consume token: %w", err)
	}
	rec, err := tokenDecode(v)
	if err != nil {
		return authn.TokenRecord{}, false, err
	}
	rec.Key = key
	return rec, true, nil
}

// DeleteTokens implements [authn.TokenStore].
func (s *TokenStore) DeleteTokens(ctx context.Context, purpose, subject string) error {
	err := tokenDeleteScript.Run(ctx, s.rdb,
		[]string{s.prefix + "tsub:" + tokenSubjectID(purpose, subject)}, s.prefix+"tok:").Err()
	if err != nil {
		return fmt.Errorf("redisstore: delete tokens: %w", err)
	}
	return nil
}

// tokenSubjectID is the hex SHA-256 of the length-prefixed purpose and
// subject: unambiguous for any bytes, and keeps user identifiers (often
// email addresses) out of key names.
func tokenSubjectID(purpose, subject string) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(purpose)))
	h.Write(n[:])
	h.Write([]byte(purpose))
	h.Write([]byte(subject))
	return hex.EncodeToString(h.Sum(nil))
}

// tokenEncode lays out a record value: subject ID (64 hex characters),
// expiry (int64 Unix milliseconds, big endian), purpose length (uint16, big
// endian), purpose, subject.
func tokenEncode(sub string, rec authn.TokenRecord) string {
	b := make([]byte, 0, 64+8+2+len(rec.Purpose)+len(rec.Subject))
	b = append(b, sub...)
	b = binary.BigEndian.AppendUint64(b, uint64(rec.ExpiresAt.UnixMilli()))
	b = binary.BigEndian.AppendUint16(b, uint16(len(rec.Purpose)))
	b = append(b, rec.Purpose...)
	b = append(b, rec.Subject...)
	return string(b)
}

var errTokenCorrupt = errors.New("redisstore: corrupt token record")

func tokenDecode(v string) (authn.TokenRecord, error) {
	var rec authn.TokenRecord
	if len(v) < 64+8+2 {
		return rec, errTokenCorrupt
	}
	v = v[64:]
	rec.ExpiresAt = time.UnixMilli(int64(binary.BigEndian.Uint64([]byte(v[:8]))))
	n := int(binary.BigEndian.Uint16([]byte(v[8:10])))
	v = v[10:]
	if len(v) < n {
		return rec, errTokenCorrupt
	}
	rec.Purpose, rec.Subject = v[:n], v[n:]
	return rec, nil
}
