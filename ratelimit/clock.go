package ratelimit

import (
	"sync/atomic"
	"time"
)

// The memory store's default clock.
//
// Reading the monotonic clock costs 10-25 ns on common virtual machines,
// as much as the rest of a decision. So by default each MemoryStore reads
// it once per tick, on a timer, and a decision reads the last value with
// one atomic load. The timer runs only while decisions are being made: it
// stops after a tick in which nobody read the clock, and the next decision
// reads the exact time and starts it again.
//
// The value read lags real time by at most a tick plus however long the
// Go scheduler delays the timer (a millisecond normally, more on a
// saturated machine), and it is never ahead of real time. A denial or a
// peek found on the lagging reading is decided again on the exact time, so
// the lag never refuses a request, never lengthens a Retry-After and never
// shows in a peek. What it can do is let an admitted event's
// cost start counting up to the lag early, so a key's budget can refill
// up to the lag early: in any window a limit admits at most what it would
// admit on an exact clock in a window longer by the lag: at most one
// extra event for any limit slower than one event per lag.
// [MemoryConfig.Now] replaces all of this with a clock read on every
// decision.
//
// The clock belongs to its store rather than to the process so that a
// store created inside a testing/synctest bubble reads the bubble's fake
// time, and so that such a bubble cannot skew the stores of other tests.

// clockTick is how often a store's clock is refreshed while in use.
const clockTick = time.Millisecond

// coarseClock is a clock refreshed every clockTick while it is being read.
// Call init before the first read.
type coarseClock struct {
	// base is the origin of the readings, a second before the clock was
	// made, so readings are positive: 0 means the clock is stopped.
	base time.Time
	_    [64]byte // keep the two words below on a cache line of their own
	// now is the latest reading in nanoseconds since base while the
	// refresh timer runs, and 0 when it is stopped.
	now atomic.Int64
	// used records that the clock was read since the last tick.
	used atomic.Bool
	_    [64 - 9]byte
}

func (c *coarseClock) init() { c.base = time.Now().Add(-time.Second) }

// exactNow reads the monotonic clock, in nanoseconds since base.
func (c *coarseClock) exactNow() int64 { return int64(time.Since(c.base)) }

// read returns the current time in nanoseconds since base, at most a tick
// or so behind real time and never ahead of it.
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
// do so, schedules the first refresh.
func (c *coarseClock) start() int64 {
	t := c.exactNow()
	c.used.Store(true)
	if c.now.CompareAndSwap(0, t) {
		time.AfterFunc(clockTick, c.refresh)
	}
	return t
}

// refresh runs every clockTick, each time in a goroutine of its own that
// the runtime starts for the timer, until a whole tick passes without a
// read. Between ticks no goroutine exists, so the clock never holds one
// up: neither a program exiting nor a testing/synctest bubble ending waits
// for it. Only one refresh is pending at a time: another is scheduled
// only after this one has stored 0, its last write.
func (c *coarseClock) refresh() {
	if !c.used.Swap(false) {
		c.now.Store(0)
		return
	}
	c.now.Store(c.exactNow())
	time.AfterFunc(clockTick, c.refresh)
}
