package ratelimit

import (
	"context"
	"errors"
	"time"
)

// Result is the outcome of one rate-limit decision.
type Result struct {
	// Allowed reports whether the event was admitted (and its cost
	// consumed). A denied event consumes nothing.
	Allowed bool

	// Remaining is the number of unit-cost events that would be admitted
	// right now, after this decision.
	Remaining int

	// RetryAfter is zero when Allowed; otherwise it is how long the caller
	// must wait before the same cost would be admitted.
	RetryAfter time.Duration

	// ResetAfter is how long until the budget is full again (Remaining
	// equals the burst) if no further event arrives.
	ResetAfter time.Duration
}

// Store keeps rate-limit state and makes decisions. Implementations must be
// safe for concurrent use and make each decision atomically: two concurrent
// calls for one key never both spend the same budget.
//
// Allow admits n events (the cost; n = 1 for an ordinary request) for key
// under limit, or denies them without consuming anything. n = 0 peeks: it
// reports the current state without changing it. It returns
// [ErrInvalidLimit] for an invalid limit and [ErrInvalidCost] when n < 0 or
// n > limit.Burst(). Any other error means the backend failed and no
// decision was made; callers choose whether to fail open or closed (the
// [Limiter] fails closed by default).
//
// The same key may be used with different limits; the state (a
// theoretical arrival time) is shared, which is what GCRA intends.
type Store interface {
	Allow(ctx context.Context, key string, limit Limit, n int) (Result, error)
}

// ErrStoreFull is returned by [MemoryStore.Allow] for a new key when the
// store already tracks MaxKeys live keys; see [MemoryConfig.MaxKeys].
var ErrStoreFull = errors.New("ratelimit: store is full")

// CheckArgs validates the arguments of a [Store.Allow] call. Store
// implementations call it first so that every store rejects bad input the
// same way.
func CheckArgs(limit Limit, n int) error {
	if limit.interval <= 0 {
		return ErrInvalidLimit
	}
	if uint(n) > uint(limit.burst) { // also n < 0

		return ErrInvalidCost
	}
	return nil
}
