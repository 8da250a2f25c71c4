package ratelimit

import "time"

// decide is the GCRA core. tat is the stored theoretical arrival time (any
// value at or before now means "budget full"), now the current time, both
// in nanoseconds on the same clock. It returns the new TAT to store (equal
// to tat when nothing changes) and the result. The arguments must have
// passed [CheckArgs].
//
// The event is admitted when, after adding its cost to the TAT, the TAT is
// at most tolerance ahead of now:
//
//	newTAT = max(tat, now) + n*interval
//	allowed ⇔ newTAT - now ≤ burst*interval
func decide(stored, now int64, l Limit, n int) (int64, Result) {
	tat := max(stored, now)
	newTAT := tat + l.interval*int64(n)
	allowAt := newTAT - l.tol // earliest time at which this cost fits
	if now < allowAt {
		return stored, Result{
			Allowed:    false,
			Remaining:  l.events(l.tol - (tat - now)),
			RetryAfter: time.Duration(allowAt - now),
			ResetAfter: time.Duration(tat - now),
		}
	}
	r := Result{
		Allowed:    true,
		Remaining:  l.events(now - allowAt),
		ResetAfter: time.Duration(newTAT - now),
	}
	if n == 0 {
		return stored, r // a peek changes nothing
	}
	return newTAT, r
}

// Decide applies the GCRA to a stored theoretical arrival time, for Store
// implementations outside this package. tat and now are nanoseconds on one
// clock (a tat at or before now, such as 0 for a new key, means the budget
// is full). It returns the TAT to store, which equals tat when the decision
// changes nothing, and the result. It returns [ErrInvalidLimit] or
// [ErrInvalidCost] for bad arguments.
func Decide(tat, now int64, limit Limit, n int) (newTAT int64, r Result, err error) {
	if err := CheckArgs(limit, n); err != nil {
		return tat, Result{}, err
	}
	newTAT, r = decide(tat, now, limit, n)
	return newTAT, r, nil
}
