package totp

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/bulwark-go/bulwark/internal/opaque"
)

const redacted = "[REDACTED]"

// MinSecretBytes is the shortest secret [ParseSecret] and [SecretFromBytes]
// accept: 128 bits, the minimum of RFC 4226 section 4 (R6). Secrets made by
// [Verifier.Enroll] are longer: 160 bits for SHA-1, 256 for SHA-256 and 512
// for SHA-512 (the hash's output size, as RFC 4226 recommends).
const MinSecretBytes = 16

// maxSecretBytes bounds the work an attacker-controlled or corrupt secret can
// cause. HMAC keys longer than the hash block are hashed first anyway.
const maxSecretBytes = 128

// b32 is the encoding authenticator apps use: RFC 4648 base32, no padding.
var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Secret is a TOTP shared secret. The zero value is not a usable secret.
//
// Secret never prints itself: String, GoString, Format, LogValue and
// MarshalJSON all produce "[REDACTED]". Use [Secret.Bytes] to store it
// (encrypted, see the package documentation) and [SecretFromBytes] to load it
// back; [Secret.Base32] gives the text form users type into an app.
type Secret struct {
	_ [0]func() // not comparable: compare secrets with crypto/subtle
	// k is boxed so that fmt, which prints unexported struct fields by
	// reflection without calling their methods, cannot reach the secret
	// when a Secret is a field of another struct.
	k opaque.Box[secretKey]
}

type secretKey struct {
	raw []byte
	// enc is the base32 form, precomputed because pquerna/otp takes it.
	enc string
}

// newSecret reads n bytes from crypto/rand.
func newSecret(n int) (Secret, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return Secret{}, fmt.Errorf("totp: reading random secret: %w", err)
	}
	return Secret{k: opaque.New(secretKey{raw: b, enc: b32.EncodeToString(b)})}, nil
}

// SecretFromBytes returns the secret with the given raw bytes (as returned by
// [Secret.Bytes]). It copies b. It returns [ErrInvalidSecret] when b is shorter
// than [MinSecretBytes] or longer than 128 bytes.
func SecretFromBytes(b []byte) (Secret, error) {
	if len(b) < MinSecretBytes || len(b) > maxSecretBytes {
		return Secret{}, ErrInvalidSecret
	}
	c := append([]byte(nil), b...)
	return Secret{k: opaque.New(secretKey{raw: c, enc: b32.EncodeToString(c)})}, nil
}

// ParseSecret decodes a base32 secret as shown to users or found in an
// otpauth:// URI. Case, spaces, dashes and trailing '=' padding are ignored.
// It returns [ErrInvalidSecret] for anything else that is not valid base32 or
// when the secret is shorter than [MinSecretBytes].
func ParseSecret(s string) (Secret, error) {
	if len(s) > 4*maxSecretBytes {
		return Secret{}, ErrInvalidSecret
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		sb.WriteByte(c)
	}
	t := strings.TrimRight(sb.String(), "=")
	b, err := b32.DecodeString(t)
	if err != nil {
		return Secret{}, ErrInvalidSecret
	}
	return SecretFromBytes(b)
}

// Bytes returns a copy of the raw secret, for encrypting and storing.
func (s Secret) Bytes() []byte {
	k := s.k.Get()
	if k == nil {
		return nil
	}
	return append([]byte(nil), k.raw...)
}

// Base32 returns the secret in unpadded base32, the form users type into an
// authenticator app when they cannot scan the QR code. Treat it as a secret.
func (s Secret) Base32() string {
	k := s.k.Get()
	if k == nil {
		return ""
	}
	return k.enc
}

// IsZero reports whether s is the zero Secret.
func (s Secret) IsZero() bool { k := s.k.Get(); return k == nil || len(k.raw) == 0 }

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]".
func (Secret) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb, so fmt never prints the secret.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue returns "[REDACTED]" so log/slog never records the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]". To store a secret, use
// [Secret.Bytes] and encrypt it.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for text encoders other than JSON.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
