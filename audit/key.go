package audit

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/bulwark-go/bulwark/internal/opaque"
)

const (
	minKeyLen   = 32
	maxKeyIDLen = 32
)

// ErrBadKey is returned by [NewKey] for an unusable key.
var ErrBadKey = errors.New("audit: invalid chain key")

// Key is an HMAC-SHA256 key for a [ChainSink], with a short public ID that
// is written into every record so that logs survive key rotation.
//
// A Key never prints its secret: String, GoString, Format, LogValue and
// MarshalJSON show only the ID and "[REDACTED]". The zero Key is invalid.
type Key struct {
	id string
	// secret is boxed so that fmt, which prints unexported struct fields
	// by reflection without calling Format, cannot reach it when a Key is
	// a field of another struct.
	secret opaque.Box[[]byte]
}

// NewKey returns a Key with the given ID (1 to 32 characters from
// A-Z a-z 0-9 '_' '-') and secret (at least 32 bytes from crypto/rand or a
// KDF; keep it out of the log's storage domain). The secret is copied.
func NewKey(id string, secret []byte) (Key, error) {
	if !validKeyID(id) {
		return Key{}, fmt.Errorf("%w: ID must be 1 to %d characters of A-Z a-z 0-9 _ -", ErrBadKey, maxKeyIDLen)
	}
	if len(secret) < minKeyLen {
		return Key{}, fmt.Errorf("%w: secret must be at least %d bytes", ErrBadKey, minKeyLen)
	}
	return Key{id: id, secret: opaque.New(append([]byte(nil), secret...))}, nil
}

// MustKey is like [NewKey] but panics on error; for tests and examples.
func MustKey(id string, secret []byte) Key {
	k, err := NewKey(id, secret)
	if err != nil {
		panic(err)
	}
	return k
}

// ID returns the key's public identifier.
func (k Key) ID() string { return k.id }

func (k Key) valid() bool { return k.id != "" && len(k.bytes()) >= minKeyLen }

// bytes returns the secret (nil for the zero Key).
func (k Key) bytes() []byte {
	if p := k.secret.Get(); p != nil {
		return *p
	}
	return nil
}

// String returns the ID with the secret redacted.
func (k Key) String() string { return "audit.Key(" + k.id + ", [REDACTED])" }

// GoString is like String.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb, so %x or %v cannot leak the secret.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue implements slog.LogValuer.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// MarshalJSON writes the ID with the secret redacted.
func (k Key) MarshalJSON() ([]byte, error) { return appendString(nil, k.String()), nil }

func validKeyID(id string) bool {
	if len(id) == 0 || len(id) > maxKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
