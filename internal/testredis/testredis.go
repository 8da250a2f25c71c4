// Package testredis connects tests to the real Redis server they run
// against, so every Redis-backed store in Bulwark is tested the same way.
//
// The server is REDIS_URL, by default redis://127.0.0.1:6379/0. When it
// does not answer, the test is skipped with a message saying how to run it,
// unless the environment variable CI is set: under CI every test must run,
// so it fails instead. Tests share the database with other packages' tests
// running at the same time, so each works under its own random key prefix
// and deletes only its own keys; nothing ever flushes the database.
package testredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultURL is the server used when REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// URL returns REDIS_URL, or DefaultURL.
func URL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// SkipOrFail skips the test with the message, or fails it when CI is set.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI is set: every test must run)", args...)
	}
	t.Skipf(format, args...)
}

// Client returns a client of the test server, closed when the test ends.
// See the package documentation for what happens when Redis is down.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	url := URL()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL %q: %v", url, err)
	}
	c := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		SkipOrFail(t, "Redis at %s is not reachable (start redis-server or set REDIS_URL): %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// Prefix returns a key prefix that no other test uses,
// "bulwark-test:<name>:<random>:", and deletes every key under it when the
// test ends (before the client is closed).
func Prefix(t testing.TB, c *redis.Client, name string) string {
	t.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	prefix := "bulwark-test:" + name + ":" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			_ = c.Del(ctx, iter.Val()).Err()
		}
	})
	return prefix
}
