// Session records, authentication methods and invalidity reasons.

package authn

import (
	"errors"
	"time"
)

// Errors returned by [Sessions] and [RefreshTokens]. They are deliberately
// coarse: none of them says whether a token existed, expired or was revoked,
// so they can be mapped to one client response. The reason is reported to
// the application through the OnInvalid hooks and [SessionInvalidError].
var (
	// ErrSessionInvalid means the presented session or access token does
	// not authenticate anyone. Use errors.As with *[SessionInvalidError]
	// for the reason.
	ErrSessionInvalid = errors.New("authn: invalid session")

	// ErrSessionDataTooLarge means the session data exceeds
	// [SessionConfig].MaxDataBytes or an identifier is too long.
	ErrSessionDataTooLarge = errors.New("authn: session data too large")

	// ErrSessionInsecureHost means [SessionConfig].InsecureCookie is set
	// and the request's Host is not a loopback name or address.
	ErrSessionInsecureHost = errors.New("authn: insecure session cookie refused for a non-loopback host")

	// ErrRefreshInvalid means the presented refresh token cannot be used.
	// Use errors.As with *[RefreshInvalidError] for the reason.
	ErrRefreshInvalid = errors.New("authn: invalid refresh token")
)

// SessionReason says why a token was refused. It is for the application's
// logs and audit trail, never for the client.
type SessionReason uint8

// Reasons reported by [SessionInvalidError], [RefreshInvalidError] and the
// OnInvalid hooks.
const (
	// SessionReasonMalformed: the token is not 43 characters of canonical
	// base64url, so it cannot have been issued by this package.
	SessionReasonMalformed SessionReason = iota + 1
	// SessionReasonUnknown: the store has no such token: it was never
	// issued, was revoked, was evicted, or expired and was removed.
	SessionReasonUnknown
	// SessionReasonIdle: the idle timeout passed since the last use.
	SessionReasonIdle
	// SessionReasonAbsolute: the absolute lifetime passed.
	SessionReasonAbsolute
	// SessionReasonReused: a refresh token that had already been used was
	// presented again; its whole family was revoked (possible theft).
	SessionReasonReused
	// SessionReasonStore: the store failed; the request was refused
	// (fail closed).
	SessionReasonStore
)

// String returns a short lower-case name such as "idle-timeout".
func (r SessionReason) String() string {
	switch r {
	case SessionReasonMalformed:
		return "malformed"
	case SessionReasonUnknown:
		return "unknown"
	case SessionReasonIdle:
		return "idle-timeout"
	case SessionReasonAbsolute:
		return "absolute-timeout"
	case SessionReasonReused:
		return "refresh-reused"
	case SessionReasonStore:
		return "store-error"
	}
	return "invalid"
}

// SessionInvalidError is the error returned for a refused session or access
// token. Its message is the same for every reason; the reason is in the
// field, for the application only.
type SessionInvalidError struct {
	Reason SessionReason // why the token was refused
}

// Error returns the same message for every reason.
func (e *SessionInvalidError) Error() string { return ErrSessionInvalid.Error() }

// Is makes errors.Is(err, ErrSessionInvalid) true.
func (e *SessionInvalidError) Is(target error) bool { return target == ErrSessionInvalid }

// RefreshInvalidError is the error returned for a refused refresh token.
// Its message is the same for every reason.
type RefreshInvalidError struct {
	Reason SessionReason // why the token was refused
}

// Error returns the same message for every reason.
func (e *RefreshInvalidError) Error() string { return ErrRefreshInvalid.Error() }

// Is makes errors.Is(err, ErrRefreshInvalid) true.
func (e *RefreshInvalidError) Is(target error) bool { return target == ErrRefreshInvalid }

// SessionMethod is a set of authentication methods a user completed in a
// session, as bit flags.
type SessionMethod uint16

// Authentication methods. Combine them with |.
const (
	SessionPassword   SessionMethod = 1 << iota // something you know: a password
	SessionTOTP                                 // something you have: a TOTP code
	SessionBackupCode                           // something you have: a one-time backup (look-up) code
	SessionWebAuthn                             // something you have: a security key or passkey
	SessionEmailLink                            // possession of a mailbox: a magic link or emailed code
)

// sessionMethodsAll is every defined method bit.
const sessionMethodsAll = SessionPassword | SessionTOTP | SessionBackupCode | SessionWebAuthn | SessionEmailLink

// sessionSecondFactors are the methods that prove possession of an
// authenticator distinct from a memorised secret or a mailbox.
const sessionSecondFactors = SessionTOTP | SessionBackupCode | SessionWebAuthn

// MFALevel returns 0 when m is empty, 2 when m holds a possession factor
// (TOTP, backup code or WebAuthn) together with a method of another kind
// (a password or an e-mail link), and 1 otherwise. [Sessions.RequireMFA]
// requires level 2. Possession factors together are still one kind of
// factor, "something you have": a TOTP code plus a backup code is level 1,
// since NIST SP 800-63B AAL2 asks for two distinct factors. A passkey
// alone counts as level 1: whether it verified the user is not recorded
// here.
func (m SessionMethod) MFALevel() int {
	m &= sessionMethodsAll
	switch {
	case m == 0:
		return 0
	case m&sessionSecondFactors != 0 && m&^sessionSecondFactors != 0:
		return 2
	}
	return 1
}

// Session is one stored session: what a store keeps under [SessionID].
// Stores share the Data map between copies; treat it as read-only.
type Session struct {
	ID        SessionID         // SHA-256 of the token; not secret
	UserID    string            // the authenticated user
	CreatedAt time.Time         // login time; start of the absolute lifetime
	ExpiresAt time.Time         // absolute expiry: CreatedAt + AbsoluteTimeout
	AuthTime  time.Time         // last time the user presented a credential (login or step-up)
	LastSeen  time.Time         // last recorded use (written at most once per touch interval)
	Methods   SessionMethod     // methods completed in this session
	UserAgent string            // User-Agent at creation, truncated
	IP        string            // client IP at creation
	Data      map[string]string // small app-defined values; read-only
}

// SessionLogin describes a successful login, for [Sessions.Create].
type SessionLogin struct {
	// UserID identifies the user; required, at most 256 bytes.
	UserID string
	// Methods the user just completed, e.g. SessionPassword or
	// SessionPassword|SessionTOTP.
	Methods SessionMethod
	// Data is copied into the session; bounded by
	// [SessionConfig].MaxDataBytes. Keys and values must be valid UTF-8.
	Data map[string]string
}

// SessionChange describes a privilege change for [Sessions.Rotate].
type SessionChange struct {
	// AddMethods are methods the user just completed (MFA completion or a
	// step-up re-authentication). When non-zero the session's AuthTime is
	// set to now, which is what [Sessions.RequireRecentAuth] checks.
	AddMethods SessionMethod
	// Data, when non-nil, replaces the session data.
	Data map[string]string
}
