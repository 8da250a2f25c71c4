package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// sessionTestRedis connects to REDIS_URL (default redis://127.0.0.1:6379/0) and
// returns a client and a key prefix unique to the test; the test's keys are
// deleted at cleanup. Without Redis the test is skipped, or fails when CI
// is set. Tests share DB 0 with other packages: never FLUSHDB.
func sessionTestRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis at %s is required in CI: %v", url, err)
		}
		t.Skipf("Redis at %s not available (set REDIS_URL): %v", url, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "bulwark-test:authn:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c, prefix
}

// sessionCommandCounter is a go-redis hook counting the commands sent to Redis,
// each a round trip on a non-pipelined client.
type sessionCommandCounter struct{ n atomic.Int64 }

func (h *sessionCommandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *sessionCommandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h *sessionCommandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1) // a pipeline is one round trip
		return next(ctx, cmds)
	}
}
