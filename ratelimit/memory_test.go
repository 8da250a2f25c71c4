package ratelimit_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/ratelimit/ratelimittest"
)

func TestMemoryStoreConformance(t *testing.T) {
	ratelimittest.Run(t, func(t *testing.T, now func() time.Time) (ratelimit.Store, func() time.Time) {
		return ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: now}), time.Now
	})
}

// TestMemoryStoreDefaultClockInSynctestBubble checks that a store made
// inside a testing/synctest bubble with the default clock follows the
// bubble's fake time, so handlers using one can be tested there.
func TestMemoryStoreDefaultClockInSynctestBubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		ctx := context.Background()
		limit := ratelimit.PerMinute(1)
		r, err := s.Allow(ctx, "k", limit, 1)
		require.NoError(t, err)
		require.True(t, r.Allowed)
		r, err = s.Allow(ctx, "k", limit, 1)
		require.NoError(t, err)
		require.False(t, r.Allowed)
		require.Equal(t, time.Minute, r.RetryAfter, "no fake time passed between the two decisions")
		time.Sleep(r.RetryAfter - time.Millisecond)
		r, err = s.Allow(ctx, "k", limit, 1)
		require.NoError(t, err)
		require.False(t, r.Allowed, "admitted a millisecond early")
		time.Sleep(time.Millisecond)
		r, err = s.Allow(ctx, "k", limit, 1)
		require.NoError(t, err)
		require.True(t, r.Allowed, "not admitted after Retry-After")
	})
}

// testClock is a settable clock for the tests of this package.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Unix(1_800_000_000, 0)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryStoreEvictsExpiredKeys(t *testing.T) {
	clock := newTestClock()
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now})
	ctx := context.Background()
	limit := ratelimit.PerMinute(10)
	const keys = 100_000
	for i := range keys {
		_, err := s.Allow(ctx, fmt.Sprint("old-", i), limit, 1)
		require.NoError(t, err)
	}
	require.Equal(t, keys, s.Len())

	// One event of a 10/min limit is spent back after 6 s; after that every
	// old key is expired and new insertions sweep them away, shard by
	// shard, when a shard fills up or its periodic sweep is due.
	clock.Advance(11 * time.Second)
	for i := range keys {
		_, err := s.Allow(ctx, fmt.Sprint("new-", i), limit, 1)
		require.NoError(t, err)
	}
	require.Less(t, s.Len(), keys+keys/2, "expired keys were not swept")
	require.GreaterOrEqual(t, s.Len(), keys, "live keys were lost")

	// The new keys are still live: each is at remaining 9.
	res, err := s.Allow(ctx, "new-42", limit, 0)
	require.NoError(t, err)
	require.Equal(t, 9, res.Remaining)
}

func TestMemoryStoreDeniedDecisionsDoNotTrackKeys(t *testing.T) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	ctx := context.Background()
	for i := range 1000 {
		_, err := s.Allow(ctx, fmt.Sprint("peek-", i), ratelimit.PerMinute(1), 0)
		require.NoError(t, err)
	}
	require.Zero(t, s.Len(), "peeks stored keys")
}

func TestNewMemoryStorePanicsOnNegativeMaxKeys(t *testing.T) {
	require.Panics(t, func() { ratelimit.NewMemoryStore(ratelimit.MemoryConfig{MaxKeys: -1}) })
}

func TestMemoryStoreMaxKeysFailsClosedForNewKeys(t *testing.T) {
	clock := newTestClock()
	const maxKeys = 256 * 4 // four per shard
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{MaxKeys: maxKeys, Now: clock.Now})
	ctx := context.Background()
	limit := ratelimit.PerMinute(2)

	// 32 attempts per slot of the cap: every shard fills (a shard gets
	// fewer than 4 of 32768 random keys with probability below 1e-40), so
	// the two phases below see the same per-shard room.
	const attempts = 32 * maxKeys
	var full int
	tracked := map[string]bool{}
	for i := range attempts {
		key := fmt.Sprint("k", i)
		_, err := s.Allow(ctx, key, limit, 1)
		if err != nil {
			require.ErrorIs(t, err, ratelimit.ErrStoreFull)
			full++
			continue
		}
		tracked[key] = true
	}
	require.Equal(t, maxKeys, s.Len(), "every shard fills to its cap")
	require.Len(t, tracked, s.Len())
	require.Positive(t, full, "the cap was never reached")

	// Tracked keys keep working while the store is full.
	for key := range tracked {
		res, err := s.Allow(ctx, key, limit, 1)
		require.NoError(t, err, "tracked key %s", key)
		require.True(t, res.Allowed)
		res, err = s.Allow(ctx, key, limit, 1)
		require.NoError(t, err)
		require.False(t, res.Allowed, "the key's budget was reset")
		break
	}

	// Once entries expire there is room again: as many new keys fit as
	// before (shards fill unevenly, so count rather than expect all).
	clock.Advance(time.Minute + time.Second)
	admittedLater := 0
	for i := range attempts {
		_, err := s.Allow(ctx, fmt.Sprint("later", i), limit, 1)
		if err == nil {
			admittedLater++
		} else {
			require.ErrorIs(t, err, ratelimit.ErrStoreFull)
		}
	}
	require.Equal(t, len(tracked), admittedLater, "expired keys did not make room")
}

func TestMemoryStoreMemoryIsReturnedAfterASpike(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million keys")
	}
	clock := newTestClock()
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now})
	ctx := context.Background()
	limit := ratelimit.PerMinute(10)
	base := heapInUse()
	for i := range 1_000_000 {
		_, _ = s.Allow(ctx, fmt.Sprint("spike-", i), limit, 1)
	}
	peak := heapInUse() - base
	clock.Advance(time.Hour)
	for i := range 100_000 {
		_, _ = s.Allow(ctx, fmt.Sprint("calm-", i), limit, 1)
	}
	after := heapInUse() - base
	t.Logf("heap: spike %d MiB, after %d MiB, keys %d", peak>>20, after>>20, s.Len())
	require.Less(t, after, peak/2, "memory was not returned after the spike expired")
	runtime.KeepAlive(s)
}

func TestMemoryStoreBytesPerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a million keys")
	}
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprint("203.0.", i>>8&0xff, ".", i&0xff, "-", i)
	}
	base := heapInUse()
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	ctx := context.Background()
	for _, k := range keys {
		_, err := s.Allow(ctx, k, ratelimit.PerHour(10), 1)
		require.NoError(t, err)
	}
	perKey := float64(heapInUse()-base) / n
	t.Logf("%.1f bytes per tracked key (%d keys)", perKey, s.Len())
	require.LessOrEqual(t, perKey, 128.0)
	runtime.KeepAlive(s)
	runtime.KeepAlive(keys)
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryStoreNoLostUpdatesDuringRebuilds hammers a few keys without
// locks while other goroutines insert enough keys to rebuild every shard
// several times. An update lost in a rebuild would admit more than the
// burst.
func TestMemoryStoreNoLostUpdatesDuringRebuilds(t *testing.T) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	ctx := context.Background()
	hot := ratelimit.Per(500, 24*time.Hour) // no refill during the test
	cold := ratelimit.PerSecond(1_000_000)  // expires at once: rebuilds drop it
	const hotKeys, hammerers, inserters = 8, 8, 4
	var admitted [hotKeys]atomic.Int64
	var wg sync.WaitGroup
	for g := range hammerers {
		wg.Go(func() {
			for i := range 20_000 {
				k := (g + i) % hotKeys
				r, err := s.Allow(ctx, fmt.Sprint("hot-", k), hot, 1)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					admitted[k].Add(1)
				}
			}
		})
	}
	for g := range inserters {
		wg.Go(func() {
			for i := range 100_000 {
				if _, err := s.Allow(ctx, fmt.Sprint("cold-", g, "-", i), cold, 1); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for k := range hotKeys {
		require.Equal(t, int64(500), admitted[k].Load(), "hot key %d", k)
	}
}
