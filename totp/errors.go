package totp

import (
	"errors"
	"time"
)

// Errors returned by [Verifier] and [BackupCodes]. Check them with [errors.Is].
// None of them reveals the secret, the expected code, or which part of a
// check failed beyond what the name says.
var (
	// ErrInvalidCode means the code is malformed or does not match any
	// accepted time step (or, for backup codes, any unused backup code).
	ErrInvalidCode = errors.New("totp: invalid code")

	// ErrReplayedCode means the code was correct for a time step that was
	// already accepted for this user, or for a step earlier than the last
	// accepted one. It is counted as a failed attempt. A replay is worth an
	// audit log entry: someone else may have seen the code. Show the user
	// the same message as for ErrInvalidCode: telling "already used" apart
	// confirms to a phisher that a captured code was correct.
	ErrReplayedCode = errors.New("totp: code already used")

	// ErrLockedOut means the user made too many failed attempts and must wait.
	// The returned error is a [*LockedOutError] carrying the time the lock
	// ends; errors.Is(err, ErrLockedOut) reports true for it.
	ErrLockedOut = errors.New("totp: too many failed attempts, try again later")

	// ErrInvalidSecret means a secret could not be decoded or is too short.
	ErrInvalidSecret = errors.New("totp: invalid secret")

	// ErrInvalidUser means the user identifier is empty or too long.
	ErrInvalidUser = errors.New("totp: invalid user identifier")

	// ErrInvalidAccount means the account name given to [Verifier.Enroll] is
	// empty, too long, or contains a colon or a control character.
	ErrInvalidAccount = errors.New("totp: invalid account name")
)

// LockedOutError is returned when a user is locked out after too many failed
// attempts. It matches [ErrLockedOut] with [errors.Is].
type LockedOutError struct {
	// Until is when the lock-out ends (by the [Verifier]'s clock).
	Until time.Time
}

// Error implements error. It does not include the user identifier.
func (e *LockedOutError) Error() string { return ErrLockedOut.Error() }

// Is reports whether target is [ErrLockedOut].
func (e *LockedOutError) Is(target error) bool { return target == ErrLockedOut }

// RetryAfter returns how long to wait from now until the lock-out ends,
// rounded up to whole seconds (for a Retry-After header). It is never negative.
func (e *LockedOutError) RetryAfter(now time.Time) time.Duration {
	d := e.Until.Sub(now)
	if d <= 0 {
		return 0
	}
	return (d + time.Second - 1).Truncate(time.Second)
}
