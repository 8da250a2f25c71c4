// The SessionStore interface shared by the memory and Redis stores.

package authn

import (
	"context"
	"time"
)

// SessionLimits are the policy values [Sessions] passes to every
// [SessionStore] call, so a store holds no policy of its own.
type SessionLimits struct {
	// Idle is the idle timeout: a session unused for this long is invalid.
	Idle time.Duration
	// Touch is the minimum interval between two LastSeen writes.
	Touch time.Duration
	// MaxPerUser caps the sessions one user may hold; Create evicts the
	// earliest-created ones beyond it.
	MaxPerUser int
}

// SessionStore keeps sessions keyed by [SessionID] (the SHA-256 hash of the
// token; stores never see a token). [MemorySessionStore] and
// authn/redisstore.SessionStore implement it and pass the same conformance
// suite. Implementations must be safe for concurrent use.
//
// Error convention: a missing, expired or revoked session is never an
// error; err != nil means the backend failed. Deleting a missing session is
// a no-op.
type SessionStore interface {
	// Create stores s, which has a fresh random ID. If the user would then
	// hold more than lim.MaxPerUser sessions, the earliest-created ones are
	// deleted first. The stored data expires by itself once the session
	// can no longer be valid.
	Create(ctx context.Context, s Session, lim SessionLimits) error

	// Validate returns the session id if it is valid at now: now is
	// before s.ExpiresAt and before s.LastSeen+lim.Idle. If it is valid
	// and now-s.LastSeen >= lim.Touch, Validate records now as LastSeen
	// and extends the data's expiry, atomically with the check and in one
	// round trip for remote stores. The returned session carries the
	// (possibly updated) LastSeen.
	//
	// When the session is not valid, Validate returns the zero Session, a
	// non-zero reason (SessionReasonUnknown, SessionReasonIdle or
	// SessionReasonAbsolute) and a nil error. A valid session has reason 0.
	Validate(ctx context.Context, id SessionID, now time.Time, lim SessionLimits) (Session, SessionReason, error)

	// Replace atomically deletes the session old and stores s, if old is
	// valid at now and belongs to s.UserID. Of several concurrent Replace
	// calls with the same old, exactly one returns true.
	Replace(ctx context.Context, old SessionID, s Session, now time.Time, lim SessionLimits) (bool, error)

	// Delete deletes session id and reports whether it existed. If userID
	// is not empty, it deletes only a session of that user.
	Delete(ctx context.Context, id SessionID, userID string) (bool, error)

	// DeleteUser deletes every session of userID except keep (the zero ID
	// keeps none) and returns how many it deleted.
	DeleteUser(ctx context.Context, userID string, keep SessionID) (int, error)

	// List returns the sessions of userID that are valid at now, oldest
	// first.
	List(ctx context.Context, userID string, now time.Time, lim SessionLimits) ([]Session, error)
}

// sessionValidAt reports why a session or refresh family with absolute
// expiry expires and last use last is invalid at now, or 0.
func sessionValidAt(expires, last, now time.Time, idle time.Duration) SessionReason {
	if !now.Before(expires) {
		return SessionReasonAbsolute
	}
	if !now.Before(last.Add(idle)) {
		return SessionReasonIdle
	}
	return 0
}
