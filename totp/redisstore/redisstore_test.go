package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/testredis"
	"github.com/bulwark-go/bulwark/totp"
	"github.com/bulwark-go/bulwark/totp/internal/storetest"
	"github.com/bulwark-go/bulwark/totp/redisstore"
)

// newRedis returns a client of the test Redis (see internal/testredis).
func newRedis(t testing.TB) *redis.Client {
	t.Helper()
	return testredis.Client(t)
}

// newStore returns a Store under a fresh random key prefix and deletes its
// keys when the test ends (never FLUSHDB: other packages share the database).
func newStore(t testing.TB) *redisstore.Store {
	t.Helper()
	rdb := newRedis(t)
	prefix := testredis.Prefix(t, rdb, "totp")
	s, err := redisstore.New(rdb, redisstore.Config{KeyPrefix: prefix})
	require.NoError(t, err)
	return s
}

func TestReplayConformance(t *testing.T) {
	storetest.ReplayStore(t, func(t *testing.T) totp.ReplayStore { return newStore(t) })
}

func TestAttemptConformance(t *testing.T) {
	storetest.AttemptStore(t, func(t *testing.T) totp.AttemptStore { return newStore(t) })
}

func TestBackupConformance(t *testing.T) {
	storetest.BackupStore(t, func(t *testing.T) totp.BackupStore { return newStore(t) })
}

func TestNewRejectsBadConfig(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	for _, tc := range []struct {
		name string
		rdb  redis.UniversalClient
		cfg  redisstore.Config
	}{
		{"a nil client is rejected", nil, redisstore.Config{}},
		{"a prefix with a line break is rejected", rdb, redisstore.Config{KeyPrefix: "a\nb"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := redisstore.New(tc.rdb, tc.cfg)
			require.Error(t, err)
		})
	}
}

func TestKeysDoNotContainTheUserIdentifier(t *testing.T) {
	ctx := context.Background()
	rdb := newRedis(t)
	prefix := testredis.Prefix(t, rdb, "totp")
	s, err := redisstore.New(rdb, redisstore.Config{KeyPrefix: prefix})
	require.NoError(t, err)
	user := "alice@example.com"
	_, err = s.AcceptStep(ctx, user, 1, time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.SetBackupCodes(ctx, user, [][]byte{[]byte("h")}))
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2)
	for _, k := range keys {
		require.NotContains(t, k, "alice")
	}
}

func TestStoreFailuresAreReported(t *testing.T) {
	// A client pointed at a closed port: every operation must fail with an
	// error rather than report a success.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	s, err := redisstore.New(rdb, redisstore.Config{})
	require.NoError(t, err)
	ctx := context.Background()
	ok, err := s.AcceptStep(ctx, "alice", 1, time.Minute)
	require.Error(t, err)
	require.False(t, ok)
	ok, _, err = s.Attempt(ctx, "alice", time.Now(), 5, time.Minute)
	require.Error(t, err)
	require.False(t, ok)
	ok, err = s.ConsumeBackupCode(ctx, "alice", []byte("h"))
	require.Error(t, err)
	require.False(t, ok)
	_, err = s.BackupCodes(ctx, "alice")
	require.Error(t, err)
	require.Error(t, s.SetBackupCodes(ctx, "alice", nil))
	require.Error(t, s.ResetAttempts(ctx, "alice"))
}

func TestAttemptRejectsNonsenseLimits(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	_, _, err := s.Attempt(ctx, "alice", time.Now(), 0, time.Minute)
	require.Error(t, err, "limit 0")
	_, _, err = s.Attempt(ctx, "alice", time.Now(), 5, 0)
	require.Error(t, err, "window 0")
}

// Replay and attempt keys expire on the Redis side (checked through PTTL,
// without sleeping); backup code sets do not.
func TestKeysExpire(t *testing.T) {
	ctx := context.Background()
	rdb := newRedis(t)
	prefix := testredis.Prefix(t, rdb, "totp")
	s, err := redisstore.New(rdb, redisstore.Config{KeyPrefix: prefix})
	require.NoError(t, err)

	ttlOf := func(kind string) time.Duration {
		t.Helper()
		keys, err := rdb.Keys(ctx, prefix+kind+":*").Result()
		require.NoError(t, err)
		require.Len(t, keys, 1, "keys of kind %s", kind)
		d, err := rdb.PTTL(ctx, keys[0]).Result()
		require.NoError(t, err)
		return d
	}

	_, err = s.AcceptStep(ctx, "alice", 7, 90*time.Second)
	require.NoError(t, err)
	d := ttlOf("step")
	assert.True(t, d > 80*time.Second && d <= 90*time.Second, "step key TTL %v, want about 90s", d)

	now := time.Now()
	_, _, err = s.Attempt(ctx, "alice", now, 3, 10*time.Minute)
	require.NoError(t, err)
	d = ttlOf("attempts")
	assert.True(t, d > 9*time.Minute && d <= 10*time.Minute, "attempt key TTL %v, want about 10m", d)

	require.NoError(t, s.SetBackupCodes(ctx, "alice", [][]byte{[]byte("h1"), []byte("h2")}))
	d = ttlOf("backup")
	assert.Equal(t, time.Duration(-1), d, "backup codes must not expire")
}
