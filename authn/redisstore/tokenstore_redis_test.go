package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/internal/testredis"
)

// tokenTestRedis returns a client of the test Redis and a key prefix unique
// to this test (see internal/testredis).
func tokenTestRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	c := testredis.Client(t)
	return c, testredis.Prefix(t, c, "authn")
}
