package redisstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/ratelimit/ratelimittest"
	"github.com/bulwark-go/bulwark/ratelimit/redisstore"
)

func TestConformance(t *testing.T) {
	c := sharedRedis(t)
	ratelimittest.Run(t, func(t *testing.T, now func() time.Time) (ratelimit.Store, func() time.Time) {
		s, err := redisstore.New(redisstore.Config{Client: c, Prefix: uniquePrefix(t, c), UnsafeNow: now})
		require.NoError(t, err)
		serverTime := func() time.Time {
			tm, err := c.Time(context.Background()).Result()
			require.NoError(t, err)
			return tm
		}
		return s, serverTime
	})
}

func TestOneRoundTripPerDecision(t *testing.T) {
	c := sharedRedis(t)
	counter := &commandCounter{}
	c.AddHook(counter)
	s, err := redisstore.New(redisstore.Config{Client: c, Prefix: uniquePrefix(t, c)})
	require.NoError(t, err)
	ctx := context.Background()
	limit := ratelimit.PerMinute(3)

	// The first decision may load the script (EVALSHA, then EVAL on
	// NOSCRIPT) if no one has loaded it on this server yet.
	_, err = s.Allow(ctx, "warm-up", limit, 1)
	require.NoError(t, err)
	counter.reset()

	want := []string{}
	for i := range 10 {
		_, err := s.Allow(ctx, "key", limit, 1) // admitted, then denied
		require.NoError(t, err, "decision %d", i)
		_, err = s.Allow(ctx, "other", limit, 0) // peek
		require.NoError(t, err)
		want = append(want, "evalsha", "evalsha")
	}
	assert.Equal(t, want, counter.names)
}

func TestNoScriptFallback(t *testing.T) {
	srv := startOwnRedis(t)
	c := srv.client()
	ctx := context.Background()
	require.NoError(t, c.Ping(ctx).Err()) // connection set-up commands happen here
	counter := &commandCounter{}
	c.AddHook(counter)
	s, err := redisstore.New(redisstore.Config{Client: c})
	require.NoError(t, err)
	limit := ratelimit.PerMinute(3)

	// A fresh server does not know the script: EVALSHA fails with NOSCRIPT
	// and EVAL runs (and caches) it.
	res, err := s.Allow(ctx, "k", limit, 1)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Remaining)
	assert.Equal(t, []string{"evalsha", "eval"}, counter.names)

	counter.reset()
	res, err = s.Allow(ctx, "k", limit, 1)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Remaining)
	assert.Equal(t, []string{"evalsha"}, counter.names)

	// After SCRIPT FLUSH the fallback runs once more, state intact.
	require.NoError(t, c.ScriptFlush(ctx).Err())
	counter.reset()
	res, err = s.Allow(ctx, "k", limit, 1)
	require.NoError(t, err)
	assert.Equal(t, 0, res.Remaining)
	assert.Equal(t, []string{"evalsha", "eval"}, counter.names)

	counter.reset()
	res, err = s.Allow(ctx, "k", limit, 1)
	require.NoError(t, err)
	assert.False(t, res.Allowed)
	assert.Equal(t, []string{"evalsha"}, counter.names)
}

func TestKeysAreNamespacedAndExpire(t *testing.T) {
	c := sharedRedis(t)
	prefix := uniquePrefix(t, c)
	s, err := redisstore.New(redisstore.Config{Client: c, Prefix: prefix})
	require.NoError(t, err)
	ctx := context.Background()
	limit := ratelimit.Per(4, 40*time.Second) // 10 s per event

	// A peek on a new key writes nothing.
	_, err = s.Allow(ctx, "k", limit, 0)
	require.NoError(t, err)
	require.Zero(t, c.Exists(ctx, prefix+"k").Val())

	res, err := s.Allow(ctx, "k", limit, 3)
	require.NoError(t, err)
	require.True(t, res.Allowed)
	keys, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.Equal(t, []string{prefix + "k"}, keys, "exactly one namespaced key per decision")

	// The key lives until the budget is full again: 30 s.
	ttl := c.PTTL(ctx, prefix+"k").Val()
	assert.InDelta(t, (30 * time.Second).Milliseconds(), ttl.Milliseconds(), 1000)
	assert.InDelta(t, res.ResetAfter.Milliseconds(), ttl.Milliseconds(), 1000)

	// A denial does not extend it.
	res, err = s.Allow(ctx, "k", limit, 2)
	require.NoError(t, err)
	require.False(t, res.Allowed)
	assert.LessOrEqual(t, c.PTTL(ctx, prefix+"k").Val(), ttl)
}

func TestDefaultPrefix(t *testing.T) {
	srv := startOwnRedis(t)
	c := srv.client()
	s, err := redisstore.New(redisstore.Config{Client: c})
	require.NoError(t, err)
	_, err = s.Allow(context.Background(), "x", ratelimit.PerMinute(1), 1)
	require.NoError(t, err)
	assert.Equal(t, []string{redisstore.DefaultPrefix + "x"}, c.Keys(context.Background(), "*").Val())
}

func TestNewRejectsMissingClient(t *testing.T) {
	_, err := redisstore.New(redisstore.Config{})
	require.ErrorContains(t, err, "Config.Client")
}

func TestInvalidArgumentsMakeNoRoundTrip(t *testing.T) {
	// No server at all: argument errors come before any command.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	defer c.Close()
	s, err := redisstore.New(redisstore.Config{Client: c})
	require.NoError(t, err)
	_, err = s.Allow(context.Background(), "k", ratelimit.Limit{}, 1)
	require.ErrorIs(t, err, ratelimit.ErrInvalidLimit)
	_, err = s.Allow(context.Background(), "k", ratelimit.PerMinute(2), 3)
	require.ErrorIs(t, err, ratelimit.ErrInvalidCost)
}
