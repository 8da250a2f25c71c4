package totp

import (
	"context"
	"time"
)

// The store interfaces are small so that a database table or another cache
// can back them. Every method takes a context first; an error always means
// the backend failed, and the [Verifier] and [BackupCodes] then fail closed
// (they reject the code and return the error wrapped). User identifiers are
// passed as given; they are never empty. [MemoryStore] implements all three
// interfaces for one process, and the totp/redisstore package implements them
// for several instances sharing one Redis.

// ReplayStore remembers, per user, the last time step at which a TOTP code was
// accepted. It is what makes a code single-use.
type ReplayStore interface {
	// AcceptStep records step as user's last accepted step if and only if it
	// is greater than the step already recorded (or nothing is recorded), and
	// reports whether it did. The compare and the write must be one atomic
	// operation: of many concurrent calls with the same step, exactly one
	// returns true. The record must be kept for at least ttl after the call
	// and may be dropped afterwards.
	AcceptStep(ctx context.Context, user string, step uint64, ttl time.Duration) (bool, error)
}

// AttemptStore counts verification attempts per user for the lock-out.
//
// An attempt is counted before the code is checked and forgotten on success,
// so that many concurrent guesses cannot all slip in before the first failure
// is recorded.
type AttemptStore interface {
	// Attempt atomically counts one attempt for user at time now and reports
	// whether it is allowed.
	//
	// A user's count starts at the first attempt and is forgotten window
	// after that start. If the count already equals limit, Attempt counts
	// nothing and returns false with the time the lock ends. Otherwise it
	// increments the count and returns true; when the count reaches limit
	// the lock is set to end window after now. The returned time is the
	// end of the current window in both cases.
	Attempt(ctx context.Context, user string, now time.Time, limit int, window time.Duration) (ok bool, until time.Time, err error)

	// ResetAttempts forgets user's attempts (after a successful
	// verification). Resetting a user without attempts is a no-op.
	ResetAttempts(ctx context.Context, user string) error
}

// BackupStore holds each user's backup code hashes. Hashes are opaque byte
// strings of equal length; the store never sees a code.
type BackupStore interface {
	// SetBackupCodes atomically replaces user's whole set with hashes. An
	// empty hashes removes the set.
	SetBackupCodes(ctx context.Context, user string, hashes [][]byte) error

	// BackupCodes returns user's remaining hashes in any order, or an empty
	// result and a nil error when there are none.
	BackupCodes(ctx context.Context, user string) ([][]byte, error)

	// ConsumeBackupCode atomically deletes hash from user's set if it is
	// present and reports whether it was. Of many concurrent calls with the
	// same hash, exactly one returns true.
	ConsumeBackupCode(ctx context.Context, user string, hash []byte) (bool, error)
}
