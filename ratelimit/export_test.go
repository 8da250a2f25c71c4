package ratelimit

import "time"

// SharedClockNow reads the clock a MemoryStore uses by default, so that a
// test can measure time as the store sees it.
func SharedClockNow() time.Time {
	return clockBase.Add(time.Duration(sharedClock.read()))
}
