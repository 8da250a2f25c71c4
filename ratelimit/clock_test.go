package ratelimit

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCoarseClockFollowsRealTime reads a clock for a while and checks that
// no reading is ever ahead of the real time and that readings typically
// lag it by about a tick. A clock that stopped ticking, or ticked far too
// slowly, would lag by up to the whole run.
func TestCoarseClockFollowsRealTime(t *testing.T) {
	var c coarseClock
	c.init()
	const run = 300 * time.Millisecond
	var lags []time.Duration
	first := c.read()
	last := first
	for end := c.exactNow() + int64(run); c.exactNow() < end; {
		before := c.exactNow()
		got := c.read()
		after := c.exactNow()
		require.LessOrEqual(t, got, after, "the clock ran ahead of real time")
		require.GreaterOrEqual(t, got, last, "one reader saw the clock go backwards")
		last = got
		lags = append(lags, time.Duration(before-got))
		if len(lags)%64 == 0 {
			runtime.Gosched() // let the ticker run on a busy machine
		}
	}
	slices.Sort(lags)
	median, worst := lags[len(lags)/2], lags[len(lags)-1]
	t.Logf("%d readings, lag median %v, worst %v", len(lags), median, worst)
	assert.Less(t, median, 20*time.Millisecond, "typical lag should be about one tick (%v)", clockTick)
	assert.Less(t, worst, run/2, "the clock stalled")
	assert.Greater(t, time.Duration(last-first), run/2, "the clock did not advance with real time")
}

// waitStopped waits until c has stopped refreshing, failing after a
// generous deadline.
func waitStopped(t *testing.T, c *coarseClock) {
	t.Helper()
	require.Eventually(t, func() bool { return c.now.Load() == 0 }, 5*time.Second, time.Millisecond,
		"the clock kept refreshing with nobody reading it")
}

// TestCoarseClockStopsAndRestarts checks that the clock stops refreshing
// once nobody reads it, so an idle process does no work, and that the
// next read returns the exact time and starts it again, also when many
// readers arrive at once.
func TestCoarseClockStopsAndRestarts(t *testing.T) {
	var c coarseClock
	c.init()
	for round := range 20 {
		var ready, wg sync.WaitGroup
		start := make(chan struct{})
		readings := make([]int64, 8)
		before := c.exactNow()
		for i := range readings {
			ready.Add(1)
			wg.Go(func() {
				ready.Done()
				<-start
				readings[i] = c.read()
			})
		}
		ready.Wait()
		close(start)
		wg.Wait()
		after := c.exactNow()
		for _, r := range readings {
			require.True(t, before <= r && r <= after, "round %d: a read of a stopped clock is not the exact time", round)
		}
		require.NotZero(t, c.now.Load(), "round %d: the clock did not start", round)
		waitStopped(t, &c)
	}
}

// TestCoarseClockLeavesNoGoroutine checks that a clock in use holds no
// goroutine between refreshes and none at all once stopped.
func TestCoarseClockLeavesNoGoroutine(t *testing.T) {
	base := runtime.NumGoroutine()
	var c coarseClock
	c.init()
	c.read()
	require.Equal(t, base, runtime.NumGoroutine(), "a goroutine waits for the next refresh")
	waitStopped(t, &c)
	// Poll by hand: require.Eventually runs its condition on a goroutine.
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > base; {
		require.True(t, time.Now().Before(deadline), "a goroutine outlived the clock")
		time.Sleep(time.Millisecond)
	}
}
