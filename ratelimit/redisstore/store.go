package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// DefaultPrefix is the key prefix used when [Config.Prefix] is empty.
const DefaultPrefix = "bulwark:ratelimit:"

// Config configures a [Store].
type Config struct {
	// Client is the Redis connection: a *redis.Client, *redis.ClusterClient
	// or *redis.Ring. Required. Its timeouts bound how long a decision can
	// wait on a slow server (go-redis defaults: 5 s dial, 3 s read/write);
	// a [ratelimit.Limiter] fails closed when they expire.
	Client redis.Scripter

	// Prefix namespaces every key. Default "bulwark:ratelimit:". Give each
	// application sharing a Redis its own prefix.
	Prefix string

	// UnsafeNow, if set, replaces the Redis server's clock with this
	// function's. For tests that need an injected clock only: in
	// production every instance must agree on the time, which is why the
	// default is the server's TIME.
	UnsafeNow func() time.Time
}

// Store is a [ratelimit.Store] backed by Redis, shared by every instance
// that uses the same server and prefix; see the package documentation for
// how a decision is made. Times are kept in whole
// microseconds; an emission interval that is not a whole number of
// microseconds is rounded up (never more permissive).
//
// A Store is safe for concurrent use. Errors from Redis are returned
// wrapped, with no decision made.
type Store struct {
	client redis.Scripter
	prefix string
	now    func() time.Time
}

var _ ratelimit.Store = (*Store)(nil)

// New returns a Store configured by cfg. It does not contact Redis.
func New(cfg Config) (*Store, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: Config.Client is nil")
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Store{client: cfg.Client, prefix: prefix, now: cfg.UnsafeNow}, nil
}

// Allow implements [ratelimit.Store].
func (s *Store) Allow(ctx context.Context, key string, limit ratelimit.Limit, n int) (ratelimit.Result, error) {
	if err := ratelimit.CheckArgs(limit, n); err != nil {
		return ratelimit.Result{}, err
	}
	interval := (limit.Interval() + time.Microsecond - 1) / time.Microsecond
	tol := int64(interval) * int64(limit.Burst())
	keys := []string{s.prefix + key}
	var args []any
	if s.now != nil {
		args = []any{int64(interval), tol, n, s.now().UnixMicro()}
	} else {
		args = []any{int64(interval), tol, n}
	}
	vals, err := gcra.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("redisstore: %w", err)
	}
	if len(vals) != 4 {
		return ratelimit.Result{}, fmt.Errorf("redisstore: script returned %d values, want 4", len(vals))
	}
	return ratelimit.Result{
		Allowed:    vals[0] == 1,
		Remaining:  int(vals[1]),
		RetryAfter: time.Duration(vals[2]) * time.Microsecond,
		ResetAfter: time.Duration(vals[3]) * time.Microsecond,
	}, nil
}
