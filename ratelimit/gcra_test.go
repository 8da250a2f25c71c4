package ratelimit

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEventsEqualsIntegerDivision(t *testing.T) {
	limits := []Limit{
		PerSecond(1), PerSecond(3), PerSecond(7), PerMinute(40), Per(10, 15*time.Minute),
		Per(1_000_000_000, time.Second), Per(999_999_937, 7*time.Second).WithBurst(1 << 30),
		Per(3, 366*24*time.Hour).WithBurst(100),
		Per(1, 1<<30).WithBurst(1000), Per(1, 1<<40).WithBurst(4), // power-of-two intervals
		Per(1, 366*24*time.Hour).WithBurst(72), // a tolerance of about 2.28e18, near the largest a Limit allows (2⁶¹)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, l := range limits {
		require.NoError(t, l.Valid(), "%v", l)
		check := func(d int64) {
			require.Equal(t, int(d/l.interval), l.events(d), "events(%d) for %v", d, l)
		}
		for k := int64(0); k <= 3; k++ {
			for _, off := range []int64{-1, 0, 1} {
				if d := k*l.interval + off; d >= 0 {
					check(d)
				}
			}
		}
		check(l.tol)
		check(l.tol - 1)
		for range 10_000 {
			check(rng.Int64N(l.tol + 1))
		}
	}
}

func TestDecideRejectsBadArguments(t *testing.T) {
	_, _, err := Decide(0, 0, Limit{}, 1)
	require.ErrorIs(t, err, ErrInvalidLimit)
	_, _, err = Decide(0, 0, PerSecond(1), 2)
	require.ErrorIs(t, err, ErrInvalidCost)
	tat, r, err := Decide(0, 0, PerSecond(2), 2)
	require.NoError(t, err)
	require.Equal(t, int64(time.Second), tat)
	require.Equal(t, Result{Allowed: true, Remaining: 0, ResetAfter: time.Second}, r)
}
