package sealbox

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Domain-separation constants. They are part of the format: changing any of
// them changes every derived key, so they are versioned and fixed.
const (
	// extractSalt is the HKDF-Extract salt: PRK = HMAC-SHA256(extractSalt, secret).
	extractSalt = "bulwark sealbox v1 extract"
	// messageLabel prefixes the per-message HKDF-Expand info: label || salt.
	messageLabel = "bulwark sealbox v1"
	// keyIDLabel is the HKDF-Expand info for the 4-byte key ID.
	keyIDLabel = "bulwark sealbox v1 key id"
)

// MinSecretSize is the minimum length in bytes of a master secret. Shorter
// secrets are rejected with [ErrShortSecret]. [GenerateSecret] produces
// secrets of exactly this size.
const MinSecretSize = 32

// Key is one master key, ready for use in a [Keyring]. It holds the HKDF
// pseudorandom key derived from the master secret (never the secret itself
// after construction) and a public 32-bit key ID derived from it.
//
// Create a Key with [FromBytes], [ParseKey] or [FromEnv]; the zero value is
// not usable. A Key is safe for concurrent use. Its key material never
// appears in fmt, slog or JSON output: all of them print [REDACTED].
type Key struct {
	id uint32
	st *keyState // pointer, so printing a dereferenced Key shows no key bytes
}

// FromBytes derives a Key from a raw master secret of at least
// [MinSecretSize] bytes. The secret should be uniformly random (for example
// from [GenerateSecret]); sealbox does not stretch passwords. FromBytes does
// not keep a reference to secret.
func FromBytes(secret []byte) (*Key, error) {
	if len(secret) < MinSecretSize {
		return nil, ErrShortSecret
	}
	prk, err := hkdf.Extract(sha256.New, secret, []byte(extractSalt))
	if err != nil {
		return nil, fmt.Errorf("sealbox: deriving key: %w", err)
	}
	st := newKeyState(prk)
	clear(prk)
	t := st.expand([]byte(keyIDLabel))
	id := binary.BigEndian.Uint32(t[:keyIDSize])
	clear(t[:])
	return &Key{id: id, st: st}, nil
}

// ParseKey decodes a master secret from text and derives a Key from it.
// Accepted forms, after trimming surrounding white space:
//
//   - "hex:" followed by hexadecimal digits;
//   - "base64:" followed by standard or URL-safe base64, padded or not;
//   - without a prefix, an even-length string of only hexadecimal digits is
//     read as hex, anything else as base64 (as [GenerateSecret] produces).
//
// The decoded secret must be at least [MinSecretSize] bytes. Errors never
// include the text.
func ParseKey(text string) (*Key, error) {
	secret, err := decodeSecret(text)
	if err != nil {
		return nil, err
	}
	defer clear(secret)
	return FromBytes(secret)
}

// FromEnv reads the environment variable name and parses it with
// [ParseKey]. An unset or empty variable is an error that names the
// variable but never shows its value. FromEnv leaves the variable set:
// child processes inherit it and it stays readable in /proc/self/environ,
// so call os.Unsetenv(name) after loading if that matters.
func FromEnv(name string) (*Key, error) {
	v, ok := os.LookupEnv(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("sealbox: environment variable %s is not set", name)
	}
	k, err := ParseKey(v)
	if err != nil {
		return nil, fmt.Errorf("sealbox: environment variable %s: %w", name, err)
	}
	return k, nil
}

// GenerateSecret returns a new random master secret of [MinSecretSize] bytes
// from crypto/rand, encoded as unpadded URL-safe base64 (43 characters),
// ready to store in a secret manager or an environment variable and to load
// with [ParseKey] or [FromEnv].
func GenerateSecret() (string, error) {
	var b [MinSecretSize]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("sealbox: generating secret: %w", err)
	}
	s := base64.RawURLEncoding.EncodeToString(b[:])
	clear(b[:])
	return s, nil
}

// ID returns the key's public 32-bit identifier, the value stored in the
// key-ID field of every ciphertext it seals. It is derived from the secret
// (the first four bytes of HKDF-Expand(PRK, "bulwark sealbox v1 key id")), so
// the same secret always has the same ID. It is safe to log.
func (k *Key) ID() uint32 {
	if k == nil {
		return 0
	}
	return k.id
}

// String returns "[REDACTED]".
func (k *Key) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v shows no key material.
func (k *Key) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (k *Key) Format(f fmt.State, _ rune) { formatRedacted(f) }

// LogValue implements slog.LogValuer and returns "[REDACTED]".
func (k *Key) LogValue() slog.Value { return redactedLogValue() }

// MarshalJSON returns the JSON string "[REDACTED]".
func (k *Key) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// MarshalText returns "[REDACTED]", for encoders other than JSON.
func (k *Key) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func decodeSecret(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	var (
		secret []byte
		err    error
	)
	switch {
	case strings.HasPrefix(text, "hex:"):
		secret, err = hex.DecodeString(text[len("hex:"):])
	case strings.HasPrefix(text, "base64:"):
		secret, err = decodeBase64(text[len("base64:"):])
	case len(text)%2 == 0 && isHex(text):
		secret, err = hex.DecodeString(text)
	default:
		secret, err = decodeBase64(text)
	}
	if err != nil {
		return nil, ErrInvalidKeyText
	}
	if len(secret) < MinSecretSize {
		clear(secret)
		return nil, ErrShortSecret
	}
	return secret, nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// decodeBase64 accepts the standard and URL-safe alphabets, with or without
// padding, but never a mixture of the two alphabets.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("empty")
	}
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
