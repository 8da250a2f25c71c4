package ratelimit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
)

func TestLimitConstructors(t *testing.T) {
	tests := []struct {
		name             string
		limit            ratelimit.Limit
		rate, burst      int
		period, interval time.Duration
		str              string
	}{
		{"PerMinute spreads events a minute apart over the rate", ratelimit.PerMinute(40), 40, 40, time.Minute, 1500 * time.Millisecond, "40/1m0s burst 40"},
		{"Per takes any period", ratelimit.Per(10, 15*time.Minute), 10, 10, 15 * time.Minute, 90 * time.Second, "10/15m0s burst 10"},
		{"PerSecond", ratelimit.PerSecond(4), 4, 4, time.Second, 250 * time.Millisecond, "4/1s burst 4"},
		{"PerHour", ratelimit.PerHour(6), 6, 6, time.Hour, 10 * time.Minute, "6/1h0m0s burst 6"},
		{"WithBurst keeps the rate", ratelimit.PerMinute(1).WithBurst(5), 1, 5, time.Minute, time.Minute, "1/1m0s burst 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.limit.Valid())
			assert.Equal(t, tt.rate, tt.limit.Rate())
			assert.Equal(t, tt.burst, tt.limit.Burst())
			assert.Equal(t, tt.period, tt.limit.Period())
			assert.Equal(t, tt.interval, tt.limit.Interval())
			assert.Equal(t, tt.str, tt.limit.String())
		})
	}
}

func TestInvalidLimits(t *testing.T) {
	tests := []struct {
		name  string
		limit ratelimit.Limit
	}{
		{"the zero Limit", ratelimit.Limit{}},
		{"zero events", ratelimit.PerMinute(0)},
		{"negative events", ratelimit.PerMinute(-3)},
		{"a zero period", ratelimit.Per(5, 0)},
		{"a negative period", ratelimit.Per(5, -time.Second)},
		{"a period over a year", ratelimit.Per(5, 367*24*time.Hour)},
		{"an interval under a nanosecond", ratelimit.Per(2_000_000_000, time.Second)},
		{"a zero burst", ratelimit.PerMinute(5).WithBurst(0)},
		{"a negative burst", ratelimit.PerMinute(5).WithBurst(-1)},
		{"a burst too large to represent", ratelimit.Per(1, 366*24*time.Hour).WithBurst(1 << 30)},
		{"WithBurst cannot revive an invalid limit", ratelimit.PerMinute(0).WithBurst(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.limit.Valid(), ratelimit.ErrInvalidLimit)
			require.Equal(t, "invalid", tt.limit.String())
		})
	}
}
