// Package ratelimitbench compares bulwark's ratelimit stores with peer
// libraries doing the same work: one admit-or-deny decision for a key under
// the same limit.
package ratelimitbench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/go-chi/httprate"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/sethvargo/go-limiter/memorystore"
	"github.com/throttled/throttled/v2"
	"github.com/throttled/throttled/v2/store/memstore"
	ulule "github.com/ulule/limiter/v3"
	ulumem "github.com/ulule/limiter/v3/drivers/store/memory"
	ulured "github.com/ulule/limiter/v3/drivers/store/redis"
	"golang.org/x/time/rate"

	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/ratelimit/redisstore"
)

// Allow makes one decision for key: whether the event is admitted.
type Allow func(ctx context.Context, key string) (bool, error)

// Impl is a named implementation under comparison.
type Impl struct {
	Name string
	// New returns a fresh limiter admitting n events per period, all of
	// them at once on a fresh key (burst n).
	New func(n int, period time.Duration) (Allow, error)
}

// MemoryImpls are the in-process limiters, bulwark first.
var MemoryImpls = []Impl{
	{"bulwark", newBulwark},
	{"xrate", newXRate},
	{"httprate", newHTTPRate},
	{"ulule", newUlule},
	{"sethvargo", newSethvargo},
	{"throttled", newThrottled},
}

func newBulwark(n int, period time.Duration) (Allow, error) {
	s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	limit := ratelimit.Per(n, period)
	return func(ctx context.Context, key string) (bool, error) {
		r, err := s.Allow(ctx, key, limit, 1)
		return r.Allowed, err
	}, nil
}

// newXRate keys golang.org/x/time/rate limiters in a sync.Map, the usual
// way of using it per client.
func newXRate(n int, period time.Duration) (Allow, error) {
	var m sync.Map
	every := rate.Every(period / time.Duration(n))
	return func(_ context.Context, key string) (bool, error) {
		v, ok := m.Load(key)
		if !ok {
			v, _ = m.LoadOrStore(key, rate.NewLimiter(every, n))
		}
		return v.(*rate.Limiter).Allow(), nil
	}, nil
}

// newHTTPRate drives go-chi/httprate through its public per-key entry
// point, OnLimit, which needs a ResponseWriter and a Request; response
// headers are switched off so it does no more than the others.
func newHTTPRate(n int, period time.Duration) (Allow, error) {
	l := httprate.NewRateLimiter(n, period, httprate.WithResponseHeaders(httprate.ResponseHeaders{}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := discardWriter{}
	return func(_ context.Context, key string) (bool, error) {
		return !l.OnLimit(w, r, key), nil
	}, nil
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return nil }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

func newUlule(n int, period time.Duration) (Allow, error) {
	l := ulule.New(ulumem.NewStore(), ulule.Rate{Period: period, Limit: int64(n)})
	return func(ctx context.Context, key string) (bool, error) {
		c, err := l.Get(ctx, key)
		return !c.Reached, err
	}, nil
}

func newSethvargo(n int, period time.Duration) (Allow, error) {
	s, err := memorystore.New(&memorystore.Config{Tokens: uint64(n), Interval: period})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, key string) (bool, error) {
		_, _, _, ok, err := s.Take(ctx, key)
		return ok, err
	}, nil
}

// newThrottled uses throttled's GCRA; its MaxBurst counts the events
// allowed on top of the first one.
func newThrottled(n int, period time.Duration) (Allow, error) {
	st, err := memstore.NewCtx(1 << 16)
	if err != nil {
		return nil, err
	}
	l, err := throttled.NewGCRARateLimiterCtx(st, throttled.RateQuota{MaxRate: perPeriod(n, period), MaxBurst: n - 1})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, key string) (bool, error) {
		limited, _, err := l.RateLimitCtx(ctx, key, 1)
		return !limited, err
	}, nil
}

func perPeriod(n int, period time.Duration) throttled.Rate {
	switch period {
	case time.Second:
		return throttled.PerSec(n)
	case time.Minute:
		return throttled.PerMin(n)
	case time.Hour:
		return throttled.PerHour(n)
	case 24 * time.Hour:
		return throttled.PerDay(n)
	}
	panic("ratelimitbench: unsupported period for throttled")
}

// RedisImpl is a Redis-backed implementation; New gets a client and a key
// prefix unique to the run.
type RedisImpl struct {
	Name string
	New  func(c *redis.Client, prefix string, n int, period time.Duration) (Allow, error)
}

// RedisImpls are the Redis-backed limiters, bulwark first.
var RedisImpls = []RedisImpl{
	{"bulwark", newBulwarkRedis},
	{"redis_rate", newRedisRate},
	{"ulule", newUluleRedis},
}

func newBulwarkRedis(c *redis.Client, prefix string, n int, period time.Duration) (Allow, error) {
	s, err := redisstore.New(redisstore.Config{Client: c, Prefix: prefix})
	if err != nil {
		return nil, err
	}
	limit := ratelimit.Per(n, period)
	return func(ctx context.Context, key string) (bool, error) {
		r, err := s.Allow(ctx, key, limit, 1)
		return r.Allowed, err
	}, nil
}

// newRedisRate uses go-redis/redis_rate, whose keys carry a fixed
// "rate:" prefix; the run's prefix is prepended to the key instead.
func newRedisRate(c *redis.Client, prefix string, n int, period time.Duration) (Allow, error) {
	l := redis_rate.NewLimiter(c)
	limit := redis_rate.Limit{Rate: n, Burst: n, Period: period}
	return func(ctx context.Context, key string) (bool, error) {
		r, err := l.Allow(ctx, prefix+key, limit)
		if err != nil {
			return false, err
		}
		return r.Allowed > 0, nil
	}, nil
}

func newUluleRedis(c *redis.Client, prefix string, n int, period time.Duration) (Allow, error) {
	st, err := ulured.NewStoreWithOptions(c, ulule.StoreOptions{Prefix: prefix})
	if err != nil {
		return nil, err
	}
	l := ulule.New(st, ulule.Rate{Period: period, Limit: int64(n)})
	return func(ctx context.Context, key string) (bool, error) {
		c, err := l.Get(ctx, key)
		return !c.Reached, err
	}, nil
}
