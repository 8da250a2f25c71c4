// The RefreshStore interface shared by the memory and Redis stores.

package authn

import (
	"context"
	"time"
)

// RefreshFamily is the chain of refresh tokens that descends from one
// login. Every refresh replaces the family's current token; presenting a
// replaced token again revokes the family (RFC 9700 section 4.14.2,
// refresh token rotation with reuse detection).
type RefreshFamily struct {
	ID        SessionID         // random family ID; not a token, not secret
	UserID    string            // the authenticated user
	Methods   SessionMethod     // methods completed at login
	AuthTime  time.Time         // login time, inherited by every access token
	CreatedAt time.Time         // start of the absolute lifetime
	ExpiresAt time.Time         // absolute expiry of the family
	LastUsed  time.Time         // last refresh
	Data      map[string]string // copied into every access token; read-only
	AccessID  SessionID         // the family's current access token (a session)
}

// RefreshLimits are the policy values [RefreshTokens] passes to every
// [RefreshStore] call.
type RefreshLimits struct {
	// Idle ends a family not refreshed for this long.
	Idle time.Duration
	// MaxPerUser caps the families of one user; Create evicts the
	// earliest-created beyond it.
	MaxPerUser int
	// MaxKept is how many of a family's latest tokens are remembered for
	// reuse detection; an older token is merely unknown.
	MaxKept int
}

// RefreshStore keeps refresh-token families, keyed by SHA-256 hashes of the
// tokens. [MemoryRefreshStore] and authn/redisstore.RefreshStore implement
// it and pass the same conformance suite. Implementations must be safe for
// concurrent use; a missing or expired family is never an error.
type RefreshStore interface {
	// Create stores a new family whose current token has ID token. It
	// returns the AccessIDs of families it evicted to respect
	// lim.MaxPerUser, so their access tokens can be revoked too.
	Create(ctx context.Context, f RefreshFamily, token SessionID, lim RefreshLimits) (evicted []SessionID, err error)

	// Rotate consumes token at now, atomically:
	//   - token is the current token of a family valid at now: next
	//     becomes current, LastUsed becomes now, AccessID becomes access;
	//     Rotate returns the family as it was before (with the previous
	//     AccessID) and reason 0;
	//   - token is an earlier token of the family (reuse: a copy is in
	//     someone else's hands) or the family expired: the family is
	//     deleted and returned with SessionReasonReused, SessionReasonIdle
	//     or SessionReasonAbsolute;
	//   - otherwise: the zero family and SessionReasonUnknown.
	// Of two concurrent Rotate calls with one token, one gets reason 0 and
	// the other SessionReasonReused.
	Rotate(ctx context.Context, token, next, access SessionID, now time.Time, lim RefreshLimits) (RefreshFamily, SessionReason, error)

	// Alive reports whether family still exists with access as its
	// current access token.
	Alive(ctx context.Context, family, access SessionID) (bool, error)

	// Revoke deletes the family that token (current or remembered)
	// belongs to and returns its AccessID; ok is false if there is none.
	Revoke(ctx context.Context, token SessionID) (access SessionID, ok bool, err error)

	// RevokeUser deletes every family of userID and returns their
	// AccessIDs.
	RevokeUser(ctx context.Context, userID string) ([]SessionID, error)
}
