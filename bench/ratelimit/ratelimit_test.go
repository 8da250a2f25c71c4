package ratelimitbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/testredis"
)

// The benchmarks cycle through the same 1,000 keys for every impl, under
// one limit: 100 million events a day, all available at once. No decision
// is denied, so every one takes the admit-and-write path, and each key
// stays tracked between its uses (one event is spent back every 864 µs,
// longer than a cycle through the keys takes), as in real use where
// limits are far longer than the gap between a client's requests.
const (
	benchN      = 100_000_000
	benchPeriod = 24 * time.Hour
)

func benchKeys() []string {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.100.%d/%d", i%256, i)
	}
	return keys
}

// TestImplsDoTheSameWork checks that every impl, given 5 events per
// minute, admits exactly the first 5 of 8 back-to-back events on a key,
// keeps other keys separate, and admits everything under the benchmark
// limit.
func TestImplsDoTheSameWork(t *testing.T) {
	want := []bool{true, true, true, true, true, false, false, false}
	check := func(t *testing.T, allow Allow, bench Allow) {
		ctx := context.Background()
		var got []bool
		for range want {
			ok, err := allow(ctx, "same-work")
			require.NoError(t, err)
			got = append(got, ok)
		}
		require.Equal(t, want, got)
		ok, err := allow(ctx, "other-key")
		require.NoError(t, err)
		require.True(t, ok, "keys are not isolated")
		for i, k := range benchKeys() {
			for range 3 {
				ok, err := bench(ctx, k)
				require.NoError(t, err)
				require.True(t, ok, "benchmark limit denied key %d", i)
			}
		}
	}
	for _, impl := range MemoryImpls {
		t.Run("memory/"+impl.Name, func(t *testing.T) {
			allow, err := impl.New(5, time.Minute)
			require.NoError(t, err)
			bench, err := impl.New(benchN, benchPeriod)
			require.NoError(t, err)
			check(t, allow, bench)
		})
	}
	c := redisClient(t)
	for _, impl := range RedisImpls {
		t.Run("redis/"+impl.Name, func(t *testing.T) {
			allow, err := impl.New(c, uniquePrefix(t, c), 5, time.Minute)
			require.NoError(t, err)
			bench, err := impl.New(c, uniquePrefix(t, c), benchN, benchPeriod)
			require.NoError(t, err)
			check(t, allow, bench)
		})
	}
}

func BenchmarkMemoryLimit(b *testing.B) {
	keys := benchKeys()
	ctx := context.Background()
	for _, impl := range MemoryImpls {
		b.Run(impl.Name, func(b *testing.B) {
			allow, err := impl.New(benchN, benchPeriod)
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range keys { // every key exists: the steady state
				_, _ = allow(ctx, k)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				_, _ = allow(ctx, keys[i%len(keys)])
			}
		})
	}
}

func BenchmarkMemoryLimitParallel(b *testing.B) {
	keys := benchKeys()
	ctx := context.Background()
	for _, impl := range MemoryImpls {
		b.Run(impl.Name, func(b *testing.B) {
			allow, err := impl.New(benchN, benchPeriod)
			if err != nil {
				b.Fatal(err)
			}
			for _, k := range keys {
				_, _ = allow(ctx, k)
			}
			var worker atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := int(worker.Add(1)) * 389 // goroutines start on different keys
				for pb.Next() {
					_, _ = allow(ctx, keys[i%len(keys)])
					i++
				}
			})
		})
	}
}

func BenchmarkRedisLimit(b *testing.B) {
	c := redisClient(b)
	keys := benchKeys()
	ctx := context.Background()
	for _, impl := range RedisImpls {
		b.Run(impl.Name, func(b *testing.B) {
			allow, err := impl.New(c, uniquePrefix(b, c), benchN, benchPeriod)
			if err != nil {
				b.Fatal(err)
			}
			for i := range 200 { // load scripts, fill the connection pool
				if _, err := allow(ctx, keys[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := allow(ctx, keys[i%len(keys)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// redisClient returns a client of the test Redis (see internal/testredis).
func redisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	return testredis.Client(tb)
}

// uniquePrefix returns a key prefix for one run and deletes its keys when
// the test or benchmark ends (some peers keep keys for the whole period).
func uniquePrefix(tb testing.TB, c *redis.Client) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "bench:ratelimit:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, "*"+prefix+"*", 1000).Iterator() // redis_rate adds "rate:"
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return prefix
}
