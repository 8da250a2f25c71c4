package authn

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors returned by [Tokens.Consume].
var (
	// ErrTokenInvalid reports a token that is malformed, unknown, already
	// used, revoked, replaced by a newer one, or issued for another purpose.
	ErrTokenInvalid = errors.New("authn: invalid or already used token")
	// ErrTokenExpired reports a genuine token presented after its expiry. It
	// has been consumed all the same. Tell the user to request a new one.
	ErrTokenExpired = errors.New("authn: token expired")

	// errTokensZero is returned by every method of a Tokens not created by
	// NewTokens, which has no purpose and no store.
	errTokensZero = errors.New("authn: Tokens not created by NewTokens")
)

const (
	// DefaultTokenTTL is the default lifetime of a one-time token.
	DefaultTokenTTL = time.Hour
	tokenMaxTTL     = 30 * 24 * time.Hour
	tokenRawSize    = 32 // 256 bits
	tokenMaxPurpose = 64
	tokenMaxSubject = 1024
	// tokenLabel separates token hashes from any other SHA-256 use; bump
	// the version if the derivation changes.
	tokenLabel = "bulwark/authn one-time token v1\x00"
)

// tokenB64 is URL-safe base64 without padding: tokens fit in a URL path,
// fragment or form field without escaping.
var tokenB64 = base64.RawURLEncoding.Strict()

// tokenEncodedLen is the length of an encoded token (43 characters).
var tokenEncodedLen = tokenB64.EncodedLen(tokenRawSize)

// TokenConfig configures [Tokens] for one purpose.
type TokenConfig struct {
	// Purpose names what the tokens are for, e.g. "password-reset",
	// "email-verification", "invitation". Required; 1 to 64 bytes, no NUL.
	// It is bound into each token's stored hash, so a token issued for one
	// purpose is useless for any other, even in a shared store.
	Purpose string

	// TTL is how long a token stays valid. Default DefaultTokenTTL (1 hour),
	// a sound value for password reset; email verification and invitations
	// commonly use 24 hours to 7 days. At most 30 days.
	TTL time.Duration

	// Store keeps the token hashes. Default: a new [MemoryTokenStore],
	// which is not shared between processes. Several Tokens with different
	// purposes may share one store.
	Store TokenStore

	// KeepPrevious, if true, lets a subject hold several live tokens of
	// this purpose. By default issuing a token deletes the subject's
	// earlier ones, so only the newest reset email works.
	KeepPrevious bool

	// Now returns the current time. Default time.Now. Tests inject a fake
	// clock here.
	Now func() time.Time
}

// Tokens issues and consumes one-time tokens for one purpose: password
// reset, email verification, invitations. A token is 256 random bits from
// crypto/rand, encoded as 43 URL-safe characters; only its SHA-256 hash is
// stored, bound to the purpose and a subject (usually a user ID), with an
// expiry. Consuming is atomic: a token works exactly once, even under
// concurrent requests. Create Tokens with [NewTokens]; it is safe for
// concurrent use. The methods of a zero or nil Tokens return an error.
type Tokens struct {
	purpose      string
	ttl          time.Duration
	store        TokenStore
	keepPrevious bool
	now          func() time.Time
}

// NewTokens validates cfg and returns Tokens.
func NewTokens(cfg TokenConfig) (*Tokens, error) {
	t := &Tokens{purpose: cfg.Purpose, ttl: cfg.TTL, store: cfg.Store,
		keepPrevious: cfg.KeepPrevious, now: cfg.Now}
	if t.ttl == 0 {
		t.ttl = DefaultTokenTTL
	}
	if t.store == nil {
		t.store = NewMemoryTokenStore()
	}
	if t.now == nil {
		t.now = time.Now
	}
	switch {
	case t.purpose == "" || len(t.purpose) > tokenMaxPurpose || strings.IndexByte(t.purpose, 0) >= 0:
		return nil, errors.New("authn: TokenConfig.Purpose must be 1 to 64 bytes without NUL")
	case t.ttl < 0 || t.ttl > tokenMaxTTL:
		return nil, errors.New("authn: TokenConfig.TTL must be positive and at most 30 days")
	}
	return t, nil
}

// MustNewTokens is like [NewTokens] but panics on an invalid configuration.
func MustNewTokens(cfg TokenConfig) *Tokens {
	t, err := NewTokens(cfg)
	if err != nil {
		panic(err)
	}
	return t
}

// IssuedToken is a freshly issued one-time token.
type IssuedToken struct {
	// Value is the token to send to the user, once. It is not stored.
	Value TokenValue
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time
}

// Issue creates a token for subject (e.g. a user ID), stores its hash, and
// returns it. Unless KeepPrevious is set, the subject's earlier tokens of
// this purpose stop working.
//
// Deliver the token in a link's fragment (https://app.example/reset#TOKEN)
// or have the page POST it, not in a query string that lands in server and
// proxy logs; and serve the page that receives it with
// Referrer-Policy: no-referrer.
func (t *Tokens) Issue(ctx context.Context, subject string) (IssuedToken, error) {
	if t == nil || t.store == nil {
		return IssuedToken{}, errTokensZero
	}
	if subject == "" || len(subject) > tokenMaxSubject {
		return IssuedToken{}, errors.New("authn: token subject must be 1 to 1024 bytes")
	}
	var raw [tokenRawSize]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return IssuedToken{}, fmt.Errorf("authn: reading random token: %w", err)
	}
	rec := TokenRecord{
		Key:       t.key(&raw),
		Purpose:   t.purpose,
		Subject:   subject,
		ExpiresAt: t.now().Add(t.ttl),
	}
	if err := t.store.SaveToken(ctx, rec, !t.keepPrevious); err != nil {
		return IssuedToken{}, fmt.Errorf("authn: saving token: %w", err)
	}
	return IssuedToken{Value: newTokenValue(tokenB64.EncodeToString(raw[:])), ExpiresAt: rec.ExpiresAt}, nil
}

// Consume redeems a token and returns its subject. It returns
// [ErrTokenInvalid] for anything but a live token of this purpose, and
// [ErrTokenExpired] for an expired one; any other error is a store failure.
// A token is deleted by the first Consume that finds it, whatever the
// outcome, so a second Consume of the same token always fails.
func (t *Tokens) Consume(ctx context.Context, token string) (subject string, err error) {
	if t == nil || t.store == nil {
		return "", errTokensZero
	}
	var raw [tokenRawSize]byte
	if len(token) != tokenEncodedLen {
		return "", ErrTokenInvalid
	}
	// Exactly 43 characters decoding to exactly 32 bytes: encoding/base64
	// skips '\r' and '\n', but then fewer than 32 bytes come out.
	if n, err := tokenB64.Decode(raw[:], []byte(token)); err != nil || n != tokenRawSize {
		return "", ErrTokenInvalid
	}
	rec, ok, err := t.store.ConsumeToken(ctx, t.key(&raw))
	if err != nil {
		return "", fmt.Errorf("authn: consuming token: %w", err)
	}
	if !ok || rec.Purpose != t.purpose {
		return "", ErrTokenInvalid
	}
	if !t.now().Before(rec.ExpiresAt) {
		return "", ErrTokenExpired
	}
	return rec.Subject, nil
}

// Revoke deletes every outstanding token of this purpose for subject, for
// example all reset tokens once the password has been changed.
func (t *Tokens) Revoke(ctx context.Context, subject string) error {
	if t == nil || t.store == nil {
		return errTokensZero
	}
	if err := t.store.DeleteTokens(ctx, t.purpose, subject); err != nil {
		return fmt.Errorf("authn: revoking tokens: %w", err)
	}
	return nil
}

// key derives the store key: SHA-256(label || purpose || 0 || token).
func (t *Tokens) key(raw *[tokenRawSize]byte) [TokenKeySize]byte {
	var buf [len(tokenLabel) + tokenMaxPurpose + 1 + tokenRawSize]byte
	b := append(buf[:0], tokenLabel...)
	b = append(b, t.purpose...)
	b = append(b, 0)
	b = append(b, raw[:]...)
	return sha256.Sum256(b)
}

// TokenValue is a one-time token as sent to the user. It is a secret until
// consumed: its String, GoString, Format, LogValue, MarshalJSON and
// MarshalText methods print [REDACTED], so it cannot leak into logs by
// accident. Call [TokenValue.Reveal] where the token must really be
// written, e.g. into the email.
//
// The text sits behind a pointer, so even a struct that holds a TokenValue
// (or an [IssuedToken]) in an unexported field, where fmt cannot call the
// methods above, prints an address rather than the token. The zero value
// reveals "".
type TokenValue struct {
	p *string // a pointer to a non-struct: fmt prints only its address
}

// Reveal returns the token text.
func (v TokenValue) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func newTokenValue(s string) TokenValue { return TokenValue{p: &s} }
