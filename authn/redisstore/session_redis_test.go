package redisstore_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/internal/testredis"
)

// sessionTestRedis returns a client of the test Redis and a key prefix
// unique to this test (see internal/testredis).
func sessionTestRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := testredis.Client(t)
	return c, testredis.Prefix(t, c, "authn")
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
