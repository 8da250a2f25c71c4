package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// tokenTestRedis connects to REDIS_URL (default redis://127.0.0.1:6379/0) and
// returns the client with a key prefix unique to this test; the test's keys
// are deleted afterwards. Without a reachable Redis the test is skipped,
// unless CI is set, when it fails.
func tokenTestRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		_ = rdb.Close()
		if os.Getenv("CI") != "" {
			t.Fatalf("Redis at %s unreachable and CI is set: %v", url, err)
		}
		t.Skipf("Redis at %s unreachable (set REDIS_URL or start redis-server): %v", url, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "bulwark-test:authn:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}
