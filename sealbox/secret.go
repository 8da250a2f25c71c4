package sealbox

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
)

// Secret holds a plaintext credential in memory (an API token, a password
// for a third-party service) and keeps it out of logs: String, GoString,
// Format (every verb), LogValue, MarshalJSON and MarshalText all produce
// [REDACTED]. Call [Secret.Reveal] at the single place the value is really
// needed, such as setting an Authorization header.
//
// The value sits behind a pointer to a string, so even printing a struct
// that holds a Secret in an unexported field (where fmt cannot call the
// methods above) shows an address, never the text. The zero Secret is empty
// and usable. Secrets are immutable, safe for concurrent use, and not
// comparable with ==; use [Secret.Equal].
//
// Secret is a guard against accidental disclosure, not memory protection: Go
// strings cannot be wiped, and the value stays in memory until collected.
type Secret struct {
	_ [0]func() // not comparable: use Equal, which runs in constant time
	p *string   // a pointer to a non-struct: fmt prints only its address
}

// NewSecret wraps s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{p: &s}
}

// Reveal returns the plaintext. Keep its result out of logs, errors and URLs.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// Equal reports whether s and t hold the same value, in time that depends
// only on the lengths of the two values, not on their contents.
func (s Secret) Equal(t Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(t.Reveal())) == 1
}

// Mask returns a display form that keeps a short prefix and the last four
// characters; see [Mask].
func (s Secret) Mask() string { return Mask(s.Reveal()) }

// String returns "[REDACTED]".
func (s Secret) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v shows no plaintext.
func (s Secret) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb, including %x and %q.
func (s Secret) Format(f fmt.State, _ rune) { formatRedacted(f) }

// LogValue implements slog.LogValuer and returns "[REDACTED]".
func (s Secret) LogValue() slog.Value { return redactedLogValue() }

// MarshalJSON returns the JSON string "[REDACTED]". There is deliberately no
// UnmarshalJSON: a redacted document must not round-trip into a "secret"
// whose value is the literal text [REDACTED].
func (s Secret) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// MarshalText returns "[REDACTED]", so encoders other than JSON (XML, YAML,
// map keys) redact too.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
