package ratelimit

import (
	"sync/atomic"
	"time"
)

// The memory store's default clock.
//
// Reading the monotonic clock costs 10-25 ns on common virtual machines,
// as much as the rest of a decision. So the default clock is read once per
// tick by one goroutine, shared by every MemoryStore in the process, and
// decisions read the last value with one atomic load. The goroutine runs
// only while decisions are being made: it stops after a tick in which
// nobody read the clock, and the next decision reads the exact time and
// starts it again.
//
// The value read lags real time by at most a tick plus however long the
// Go scheduler delays the goroutine (milliseconds at worst, on a saturated
// machine). It never runs ahead of real time, so a lag can only make
// decisions stricter: budgets refill late, never early, and no limit
// admits more than its rate. [MemoryConfig.Now] replaces it with a clock
// read on every decision.

// clockTick is how often the shared clock is refreshed while in use.
const clockTick = time.Millisecond

// clockBase is the origin of the shared clock's readings. Readings are
// positive: 0 means the clock is stopped.
var clockBase = time.Now().Add(-time.Second)

var sharedClock coarseClock

type coarseClock struct {
	_ [64]byte // keep the two words below on a cache line of their own
	// now is the latest reading in nanoseconds since clockBase while the
	// ticking goroutine runs, and 0 when it is stopped.
	now atomic.Int64
	// used records that the clock was read since the last tick.
	used atomic.Bool
	_    [64 - 9]byte
}

// exactNow reads the monotonic clock, in nanoseconds since clockBase.
func exactNow() int64 { return int64(time.Since(clockBase)) }

// read returns the current time in nanoseconds since clockBase, at most a
// tick or so behind real time and never ahead of it.
func (c *coarseClock) read() int64 {
	if t := c.now.Load(); t != 0 {
		if !c.used.Load() { // write only once per tick: the line stays shared
			c.used.Store(true)
		}
		return t
	}
	return c.start()
}

// start reads the exact time and, unless another caller won the race to
// do so, starts the ticking goroutine.
func (c *coarseClock) start() int64 {
	t := exactNow()
	c.used.Store(true)
	if c.now.CompareAndSwap(0, t) {
		go c.tick()
	}
	return t
}

// tick refreshes the clock every clockTick until a whole tick passes
// without a read. Only one tick goroutine runs at a time: another is
// started only after this one has stored 0, its last write.
func (c *coarseClock) tick() {
	tk := time.NewTicker(clockTick)
	defer tk.Stop()
	for range tk.C {
		if !c.used.Swap(false) {
			c.now.Store(0)
			return
		}
		c.now.Store(exactNow())
	}
}
