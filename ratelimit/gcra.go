package ratelimit

import "time"

// decide is the GCRA core. stored is the stored theoretical arrival time
// (TAT; any value at or before now means "budget full"), now the current
// time, both in nanoseconds on the same clock. It returns the TAT to store
// (equal to stored when nothing changes) and the result. The arguments
// must have passed [CheckArgs].
//
// The event is admitted when, after adding its cost to the TAT, the TAT is
// at most tolerance ahead of now:
//
//	newTAT = max(tat, now) + n*interval
//	allowed ⇔ newTAT - now ≤ burst*interval
func decide(stored, now int64, l Limit, n int) (int64, Result) {
	tat := max(stored, now)
	newTAT := tat + l.interval*int64(n)
	r := Result{Allowed: newTAT-now <= l.tol}
	if !r.Allowed {
		r.RetryAfter = time.Duration(newTAT - l.tol - now) // until newTAT - now fits
		newTAT = tat                                       // nothing spent
	}
	r.ResetAfter = time.Duration(newTAT - now)
	// The stored TAT may lie further ahead than this limit's tolerance
	// when the key was charged under a looser limit: nothing remains
	// then, and the count must not go negative.
	r.Remaining = l.events(max(0, l.tol-(newTAT-now)))
	if !r.Allowed || n == 0 {
		return stored, r // a denial or a peek changes nothing
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
