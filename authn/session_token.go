// Session and refresh tokens: generation, parsing and hashing.

package authn

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
)

// sessionTokenBytes is the entropy of every session, access and refresh
// token: 256 bits, as the issue and NIST SP 800-63B (>= 64 bits) require.
const sessionTokenBytes = 32

// sessionTokenLen is the length of a token's text form: unpadded base64url
// of 32 bytes.
const sessionTokenLen = 43

// sessionEncoding is the strict (canonical) unpadded base64url encoding used
// for tokens and session IDs, so every value has exactly one text form.
var sessionEncoding = base64.RawURLEncoding.Strict()

// SessionID identifies a stored session or refresh token: the SHA-256 hash
// of the token. It is what stores use as the key, so a dump of a store
// cannot be replayed as a cookie: the token is a preimage of the ID.
//
// A SessionID is not a secret. It may be logged, shown on a "your sessions"
// page and sent back by the browser to revoke one session (see
// [Sessions.RevokeID]); it does not authenticate anything.
type SessionID [32]byte

// String returns the ID in unpadded base64url (43 characters).
func (id SessionID) String() string { return sessionEncoding.EncodeToString(id[:]) }

// IsZero reports whether id is the zero ID, which no session ever has.
func (id SessionID) IsZero() bool { return id == SessionID{} }

// ParseSessionID parses the text form produced by [SessionID.String].
func ParseSessionID(s string) (SessionID, error) {
	var id SessionID
	if !sessionDecode((*[32]byte)(&id), s) {
		return SessionID{}, errSessionIDSyntax
	}
	return id, nil
}

var errSessionIDSyntax = errors.New("authn: malformed session ID")

// SessionToken is a bearer secret: a session cookie value, an access token
// or a refresh token. Its String, GoString, Format, LogValue and MarshalJSON
// methods print "[REDACTED]" so that a token which reaches a log line or a
// JSON document by accident is not disclosed; call [SessionToken.Reveal] to
// get the value to send to its owner.
//
// The zero SessionToken is empty.
//
// The value sits behind a pointer: fmt cannot call String or Format on a
// value it reaches through an unexported field of another struct, and
// prints such a field's underlying representation instead; a pointer is
// printed as an address, which keeps the token out of that output too.
type SessionToken struct {
	v *string
}

// Reveal returns the token text (43 characters of base64url). Send it only
// to the client it belongs to, in a cookie or a response body; never in a
// URL, a log line or an error.
func (t SessionToken) Reveal() string {
	if t.v == nil {
		return ""
	}
	return *t.v
}

// IsZero reports whether t is the empty token.
func (t SessionToken) IsZero() bool { return t.v == nil || *t.v == "" }

// String returns "[REDACTED]".
func (t SessionToken) String() string { return redacted }

// GoString returns "[REDACTED]".
func (t SessionToken) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (t SessionToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue returns "[REDACTED]" for log/slog.
func (t SessionToken) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (t SessionToken) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// newSessionToken returns a fresh random token and its ID.
func newSessionToken() (SessionToken, SessionID) {
	var raw [sessionTokenBytes]byte
	// crypto/rand.Read never returns an error since Go 1.24; it crashes
	// the program rather than return predictable bytes.
	_, _ = rand.Read(raw[:])
	v := sessionEncoding.EncodeToString(raw[:])
	return SessionToken{v: &v}, sessionTokenHash(&raw)
}

// sessionTokenHash returns the store key of a raw token.
func sessionTokenHash(raw *[sessionTokenBytes]byte) SessionID {
	return SessionID(sha256.Sum256(raw[:]))
}

// sessionParseToken decodes the text form of a token and returns its ID.
// It rejects anything that [newSessionToken] cannot have produced, without
// allocating.
func sessionParseToken(s string) (SessionID, bool) {
	var raw [sessionTokenBytes]byte
	if !sessionDecode(&raw, s) {
		return SessionID{}, false
	}
	return sessionTokenHash(&raw), true
}

// sessionDecode decodes exactly 43 characters of canonical base64url into
// dst without allocating.
func sessionDecode(dst *[32]byte, s string) bool {
	if len(s) != sessionTokenLen {
		return false
	}
	var buf [sessionTokenLen]byte
	copy(buf[:], s)
	n, err := sessionEncoding.Decode(dst[:], buf[:])
	return err == nil && n == len(dst)
}
