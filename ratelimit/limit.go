package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// maxPeriod bounds a Limit's period so that every derived quantity (the
// burst tolerance, a theoretical arrival time far in the future) fits in
// an int64 count of nanoseconds with room to spare.
const maxPeriod = 366 * 24 * time.Hour

// maxBurst bounds the burst so that interval*burst cannot overflow.
const maxBurst = 1 << 30

// Limit is a rate limit in GCRA form: on average Rate events per Period,
// with up to Burst events admitted back to back. Build one with [Per],
// [PerSecond], [PerMinute] or [PerHour], optionally followed by
// [Limit.WithBurst].
//
// The zero Limit is invalid: stores reject it with [ErrInvalidLimit]. A
// Limit is a small value; copy it freely.
//
// Under GCRA the budget refills continuously, one event every Period/Rate
// (the emission interval), rather than all at once at window boundaries,
// so there is no "double burst" at a window edge: Per(10, 15*time.Minute)
// admits 10 events at once and then one more every 90 seconds.
type Limit struct {
	rate     int
	period   time.Duration
	burst    int
	interval int64  // nanoseconds between events: period / rate
	tol      int64  // burst tolerance: interval * burst
	recip    uint64 // floor((2⁶⁴-1) / interval), to divide without a division
}

// Per returns a limit of n events per period with a burst of n. It returns
// an invalid Limit (rejected by every store and by [New]) when n < 1, when
// period is not positive or longer than a year, or when period/n is
// shorter than a nanosecond.
func Per(n int, period time.Duration) Limit {
	return Limit{rate: n, period: period, burst: n}.derive()
}

// PerSecond returns Per(n, time.Second).
func PerSecond(n int) Limit { return Per(n, time.Second) }

// PerMinute returns Per(n, time.Minute).
func PerMinute(n int) Limit { return Per(n, time.Minute) }

// PerHour returns Per(n, time.Hour).
func PerHour(n int) Limit { return Per(n, time.Hour) }

// WithBurst returns a copy of l that admits up to burst events back to
// back, keeping the average rate. A burst below 1 or above 2³⁰, or one
// whose refill time (burst × Period/Rate) exceeds about 73 years, makes
// the limit invalid.
func (l Limit) WithBurst(burst int) Limit {
	l.burst = burst
	return l.derive()
}

// derive computes the emission interval and tolerance, or returns the zero
// (invalid) Limit for out-of-range parameters.
func (l Limit) derive() Limit {
	if l.rate < 1 || l.burst < 1 || l.burst > maxBurst || l.period <= 0 || l.period > maxPeriod {
		return Limit{}
	}
	l.interval = int64(l.period) / int64(l.rate)
	if l.interval < 1 || l.interval > math.MaxInt64/4/int64(l.burst) {
		return Limit{}
	}
	l.tol = l.interval * int64(l.burst)
	l.recip = math.MaxUint64 / uint64(l.interval)
	return l
}

// Rate returns the number of events per [Limit.Period].
func (l Limit) Rate() int { return l.rate }

// Period returns the period over which [Limit.Rate] events are allowed.
func (l Limit) Period() time.Duration { return l.period }

// Burst returns the number of events that may be admitted back to back.
func (l Limit) Burst() int { return l.burst }

// Interval returns the emission interval, Period/Rate: the time it takes
// for one event's worth of budget to come back.
func (l Limit) Interval() time.Duration { return time.Duration(l.interval) }

// events returns d / l.interval rounded down, for 0 <= d <= l.tol: the
// number of whole events in d. The high word of d × recip never exceeds
// the quotient and falls short by at most one (recip is within one of
// 2⁶⁴/interval, so the error is at most d/2⁶⁴ < 1 for any d < 2⁶³), and
// one integer correction makes it exact, avoiding a 64-bit division on
// the hot path.
func (l *Limit) events(d int64) int {
	q, _ := bits.Mul64(uint64(d), l.recip)
	if (q+1)*uint64(l.interval) <= uint64(d) {
		q++
	}
	return int(q)
}

// Valid reports whether l can be used, with [ErrInvalidLimit] if not.
func (l Limit) Valid() error {
	if l.interval <= 0 {
		return ErrInvalidLimit
	}
	return nil
}

// String returns a readable form such as "10/15m0s burst 10".
func (l Limit) String() string {
	if l.Valid() != nil {
		return "invalid"
	}
	return fmt.Sprintf("%d/%s burst %d", l.rate, l.period, l.burst)
}

// ErrInvalidLimit is returned for a zero or out-of-range [Limit].
var ErrInvalidLimit = errors.New("ratelimit: invalid limit")

// ErrInvalidCost is returned when the cost n of a decision is negative or
// larger than the limit's burst (such a request could never be admitted).
var ErrInvalidCost = errors.New("ratelimit: cost must be between 0 and the burst")
