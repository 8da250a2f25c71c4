package ratelimit

import (
	"runtime"
	"slices"
	"strings"
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
	const run = 300 * time.Millisecond
	var lags []time.Duration
	first := c.read()
	last := first
	for end := exactNow() + int64(run); exactNow() < end; {
		before := exactNow()
		got := c.read()
		after := exactNow()
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

// tickGoroutines counts the goroutines running coarseClock.tick, of any
// clock.
func tickGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "ratelimit.(*coarseClock).tick(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// tickGoroutinesWhileReading counts the tick goroutines while reading c
// continuously, so that its goroutine cannot stop during the count.
func tickGoroutinesWhileReading(c *coarseClock) int {
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				c.read()
				runtime.Gosched()
			}
		}
	})
	defer reader.Wait()
	defer close(done)
	time.Sleep(5 * clockTick) // the reader is running
	return tickGoroutines()
}

// waitStopped waits until c's goroutine has stopped, failing after a
// generous deadline.
func waitStopped(t *testing.T, c *coarseClock) {
	t.Helper()
	require.Eventually(t, func() bool { return c.now.Load() == 0 }, 5*time.Second, time.Millisecond,
		"the clock kept ticking with nobody reading it")
}

// TestCoarseClockStopsAndRestarts checks that the ticking goroutine exits
// once nobody reads the clock, so an idle process does no work, and that
// the next read starts exactly one again and returns the exact time.
func TestCoarseClockStopsAndRestarts(t *testing.T) {
	// Let the default clock, used by other tests, go quiet so that the
	// goroutine count below is this test's alone.
	waitStopped(t, &sharedClock)
	require.Eventually(t, func() bool { return tickGoroutines() == 0 }, 5*time.Second, time.Millisecond)

	var c coarseClock
	before := exactNow()
	got := c.read()
	after := exactNow()
	require.True(t, before <= got && got <= after, "a read that starts the clock returns the exact time")
	require.Equal(t, 1, tickGoroutinesWhileReading(&c))

	waitStopped(t, &c)
	require.Eventually(t, func() bool { return tickGoroutines() == 0 }, 5*time.Second, time.Millisecond,
		"the goroutine did not exit")

	// Many readers at once after a stop start one goroutine between them.
	for round := range 20 {
		var ready, wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			ready.Add(1)
			wg.Go(func() {
				ready.Done()
				<-start
				c.read()
			})
		}
		ready.Wait()
		close(start)
		wg.Wait()
		require.Equal(t, 1, tickGoroutinesWhileReading(&c), "round %d: concurrent starts ran several goroutines", round)
		waitStopped(t, &c)
		require.Eventually(t, func() bool { return tickGoroutines() == 0 }, 5*time.Second, time.Millisecond)
	}
}
