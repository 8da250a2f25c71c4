// Package ratelimittest is the conformance suite every [ratelimit.Store]
// must pass. Store implementations call [Run] from a test:
//
//	func TestConformance(t *testing.T) {
//		ratelimittest.Run(t, func(t *testing.T, now func() time.Time) (ratelimit.Store, func() time.Time) {
//			...
//		})
//	}
package ratelimittest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// Factory returns a new, empty store for one test. When now is non-nil the
// store must read the current time from it (the suite drives a fake
// clock); the returned clock is then ignored. When now is nil the store
// uses its production clock, and the returned function must read that same
// clock (for a Redis store, the server's TIME), so the suite can measure
// elapsed time as the store sees it.
type Factory func(t *testing.T, now func() time.Time) (store ratelimit.Store, clock func() time.Time)

// Run runs the conformance suite against the stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Run("Sequences", func(t *testing.T) { runSequences(t, newStore) })
	t.Run("InvalidArguments", func(t *testing.T) { runInvalid(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { runConcurrency(t, newStore) })
}

// fakeClock is a settable clock safe for concurrent use. It starts at a
// whole microsecond so stores with microsecond resolution see exact
// times.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// step is one decision in a sequence: advance the clock, then Allow.
type step struct {
	advance time.Duration
	key     string          // default "k"
	n       int             // cost
	limit   ratelimit.Limit // default: the sequence's limit
	want    ratelimit.Result
}

func allowed(remaining int, reset time.Duration) ratelimit.Result {
	return ratelimit.Result{Allowed: true, Remaining: remaining, ResetAfter: reset}
}

func denied(remaining int, retry, reset time.Duration) ratelimit.Result {
	return ratelimit.Result{Remaining: remaining, RetryAfter: retry, ResetAfter: reset}
}

// run plays steps against a fresh store on a fake clock.
func run(t *testing.T, newStore Factory, limit ratelimit.Limit, steps []step) {
	t.Helper()
	clock := newFakeClock()
	store, _ := newStore(t, clock.Now)
	ctx := context.Background()
	for i, s := range steps {
		clock.Advance(s.advance)
		key := s.key
		if key == "" {
			key = "k"
		}
		lim := limit
		if s.limit.Valid() == nil {
			lim = s.limit
		}
		got, err := store.Allow(ctx, key, lim, s.n)
		require.NoError(t, err, "step %d", i)
		require.Equal(t, s.want, got, "step %d: Allow(%q, %v, %d) after +%v", i, key, lim, s.n, s.advance)
	}
}

func runSequences(t *testing.T, newStore Factory) {
	const s, m = time.Second, time.Minute
	tests := []struct {
		name  string
		limit ratelimit.Limit
		steps []step
	}{
		// Burst and refill.
		{
			name:  "a fresh key admits the burst back to back, then denies",
			limit: ratelimit.PerMinute(5), // one event every 12 s
			steps: []step{
				{n: 1, want: allowed(4, 12*s)},
				{n: 1, want: allowed(3, 24*s)},
				{n: 1, want: allowed(2, 36*s)},
				{n: 1, want: allowed(1, 48*s)},
				{n: 1, want: allowed(0, 60*s)},
				{n: 1, want: denied(0, 12*s, 60*s)},
				{n: 1, want: denied(0, 12*s, 60*s)},
			},
		},
		{
			name:  "the budget refills one event per emission interval",
			limit: ratelimit.PerMinute(5),
			steps: []step{
				{n: 5, want: allowed(0, 60*s)},
				{advance: 6 * s, n: 1, want: denied(0, 6*s, 54*s)},
				{advance: 6 * s, n: 1, want: allowed(0, 60*s)},
				{advance: 24 * s, n: 1, want: allowed(1, 48*s)},
				{advance: 10 * m, n: 1, want: allowed(4, 12*s)},
			},
		},
		{
			name:  "a long idle period refills only up to the burst",
			limit: ratelimit.Per(2, time.Hour),
			steps: []step{
				{n: 2, want: allowed(0, time.Hour)},
				{advance: 30 * 24 * time.Hour, n: 1, want: allowed(1, 30*m)},
				{n: 1, want: allowed(0, time.Hour)},
				{n: 1, want: denied(0, 30*m, time.Hour)},
			},
		},
		{
			name:  "a burst larger than the rate allows more at once but the same average",
			limit: ratelimit.PerMinute(1).WithBurst(3),
			steps: []step{
				{n: 1, want: allowed(2, m)},
				{n: 1, want: allowed(1, 2*m)},
				{n: 1, want: allowed(0, 3*m)},
				{n: 1, want: denied(0, m, 3*m)},
				{advance: m, n: 1, want: allowed(0, 3*m)},
			},
		},
		// Cost.
		{
			name:  "a cost of n spends n events",
			limit: ratelimit.PerSecond(10), // 100 ms each
			steps: []step{
				{n: 4, want: allowed(6, 400*time.Millisecond)},
				{n: 4, want: allowed(2, 800*time.Millisecond)},
				{n: 4, want: denied(2, 200*time.Millisecond, 800*time.Millisecond)},
				{n: 2, want: allowed(0, s)},
				{advance: 300 * time.Millisecond, n: 3, want: allowed(0, s)},
			},
		},
		{
			name:  "a cost of zero peeks without spending",
			limit: ratelimit.PerSecond(10),
			steps: []step{
				{n: 0, want: allowed(10, 0)},
				{n: 3, want: allowed(7, 300*time.Millisecond)},
				{n: 0, want: allowed(7, 300*time.Millisecond)},
				{n: 0, want: allowed(7, 300*time.Millisecond)},
				{n: 7, want: allowed(0, s)},
				{n: 0, want: allowed(0, s)},
			},
		},
		{
			name:  "a cost equal to the burst is admitted only on a full budget",
			limit: ratelimit.PerMinute(6), // 10 s each
			steps: []step{
				{n: 6, want: allowed(0, m)},
				{advance: 50 * s, n: 6, want: denied(5, 10*s, 10*s)},
				{advance: 10 * s, n: 6, want: allowed(0, m)},
			},
		},
		// Retry-after accuracy.
		{
			name:  "retrying one microsecond before Retry-After is denied, at Retry-After admitted",
			limit: ratelimit.Per(3, 15*m), // 5 min each
			steps: []step{
				{n: 3, want: allowed(0, 15*m)},
				{advance: 90 * s, n: 1, want: denied(0, 210*s, 810*s)},
				{advance: 210*s - time.Microsecond, n: 1, want: denied(0, time.Microsecond, 600*s+time.Microsecond)},
				{advance: time.Microsecond, n: 1, want: allowed(0, 15*m)},
			},
		},
		{
			name:  "Retry-After for a cost counts the whole missing budget",
			limit: ratelimit.PerMinute(6),
			steps: []step{
				{n: 6, want: allowed(0, m)},
				{n: 3, want: denied(0, 30*s, m)},
				{advance: 30*s - time.Microsecond, n: 3, want: denied(2, time.Microsecond, 30*s+time.Microsecond)},
				{advance: time.Microsecond, n: 3, want: allowed(0, m)},
			},
		},
		// Key isolation.
		{
			name:  "keys have separate budgets",
			limit: ratelimit.PerMinute(2),
			steps: []step{
				{key: "a", n: 2, want: allowed(0, m)},
				{key: "a", n: 1, want: denied(0, 30*s, m)},
				{key: "b", n: 1, want: allowed(1, 30*s)},
				{key: "a:", n: 1, want: allowed(1, 30*s)},
				{key: "A", n: 1, want: allowed(1, 30*s)},
				{key: "", n: 1, want: allowed(1, 30*s)},
				{key: "a", n: 1, want: denied(0, 30*s, m)},
				{key: "b", n: 1, want: allowed(0, m)},
			},
		},
		// One key under several limits (the Store contract allows it).
		{
			name:  "a key charged under a looser limit reports zero remaining, never a negative count, under a stricter one",
			limit: ratelimit.PerMinute(10), // TAT can run 60 s ahead
			steps: []step{
				{n: 10, want: allowed(0, m)},
				{n: 1, limit: ratelimit.Per(1, 10*s), want: denied(0, 60*s, 60*s)},
				{n: 0, limit: ratelimit.Per(1, 10*s), want: denied(0, 50*s, 60*s)},
				{advance: 50 * s, n: 1, limit: ratelimit.Per(1, 10*s), want: denied(0, 10*s, 10*s)},
				{advance: 10 * s, n: 1, limit: ratelimit.Per(1, 10*s), want: allowed(0, 10*s)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { run(t, newStore, tt.limit, tt.steps) })
	}
}

func runInvalid(t *testing.T, newStore Factory) {
	clock := newFakeClock()
	store, _ := newStore(t, clock.Now)
	ctx := context.Background()
	tests := []struct {
		name  string
		limit ratelimit.Limit
		n     int
		want  error
	}{
		{"the zero limit is rejected", ratelimit.Limit{}, 1, ratelimit.ErrInvalidLimit},
		{"a limit of zero events is rejected", ratelimit.PerMinute(0), 1, ratelimit.ErrInvalidLimit},
		{"a negative cost is rejected", ratelimit.PerMinute(5), -1, ratelimit.ErrInvalidCost},
		{"a cost above the burst is rejected", ratelimit.PerMinute(5), 6, ratelimit.ErrInvalidCost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := store.Allow(ctx, "k", tt.limit, tt.n)
			require.ErrorIs(t, err, tt.want)
		})
	}
	// Rejected calls spent nothing.
	got, err := store.Allow(ctx, "k", ratelimit.PerMinute(5), 0)
	require.NoError(t, err)
	require.Equal(t, allowed(5, 0), got)
}

// runConcurrency has 64 goroutines hammer one key on the store's real
// clock for half a second and checks that the store admitted exactly what
// GCRA allows: burst + rate*elapsed, give or take one, and never more.
//
// Elapsed time is read from the store's own clock (the server's for
// Redis), bracketing the first and the final decision, and the budget that
// came back but was not taken (because goroutines were descheduled on a
// busy machine) is counted through the final decision's Remaining. The
// budget is emptied by the first decision and the burst is large enough
// that it never fills up again during the test, so no refill is lost to
// the cap and the count is exact.
func runConcurrency(t *testing.T, newStore Factory) {
	const (
		rate       = 1000 // per second
		burst      = 2000 // two seconds of refill: longer than any stall at the end
		goroutines = 64
		window     = 500 * time.Millisecond
	)
	limit := ratelimit.PerSecond(rate).WithBurst(burst)
	store, clock := newStore(t, nil)
	require.NotNil(t, clock, "factory must return the store's clock when now is nil")
	ctx := context.Background()
	const key = "hammered"

	var admitted, calls atomic.Int64
	var failed atomic.Value
	// The first decision spends the whole burst, so that from then on the
	// budget is never full and no refill is lost to the cap, not even while
	// the goroutines start.
	startLo := clock()
	first, err := store.Allow(ctx, key, limit, burst)
	startHi := clock()
	require.NoError(t, err)
	require.True(t, first.Allowed)
	admitted.Add(burst)

	localEnd := time.Now().Add(window)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for time.Now().Before(localEnd) {
				res, err := store.Allow(ctx, key, limit, 1)
				if err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
				calls.Add(1)
				if res.Allowed {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	endLo := clock()
	final, err := store.Allow(ctx, key, limit, 0)
	endHi := clock()
	if e, _ := failed.Load().(error); e != nil {
		require.NoError(t, e)
	}
	require.NoError(t, err)

	// The store saw between minElapsed and maxElapsed pass from the first
	// decision to the final one.
	minElapsed, maxElapsed := endLo.Sub(startHi), endHi.Sub(startLo)
	lo := int64(burst + rate*minElapsed.Seconds())
	hi := int64(burst + rate*maxElapsed.Seconds())
	got := admitted.Load()
	t.Logf("%d calls, %d admitted, %d remaining, elapsed %v..%v, budget %d..%d",
		calls.Load(), got, final.Remaining, minElapsed, maxElapsed, lo, hi)
	require.Less(t, got, calls.Load(), "the key was never saturated; the test proves nothing")
	assert.LessOrEqual(t, got, hi+1, "admitted more than burst + rate*elapsed")
	total := got + int64(final.Remaining)
	assert.LessOrEqual(t, total, hi+1, "admitted + remaining exceeds burst + rate*elapsed")
	assert.GreaterOrEqual(t, total, lo-1, "admitted + remaining falls short of burst + rate*elapsed")
}
