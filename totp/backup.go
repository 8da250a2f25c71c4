package totp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"time"

	"github.com/bulwark-go/bulwark/internal/opaque"
)

// backupLabel domain-separates backup code hashes; bump the version if the
// hash input ever changes.
const backupLabel = "bulwark totp backup code v1\x00"

// MinBackupKeyBytes is the shortest [BackupConfig.Key] accepted.
const MinBackupKeyBytes = 32

// BackupConfig configures [BackupCodes]. Key and Store are required; every
// other zero field takes the safe default named in its comment.
type BackupConfig struct {
	// Key is the HMAC-SHA256 key for the stored hashes, at least 32 bytes
	// from a secret the database does not hold (derive it from your app
	// secret, for example with HKDF and a "totp backup codes" label).
	// Required. Danger: changing it invalidates every stored code; have
	// users regenerate them. A BackupConfig prints the key as
	// "[REDACTED]", but not when it sits in an unexported field of another
	// struct (fmt then prints its fields by reflection): do not keep the
	// config around after [NewBackupCodes], which copies the key.
	//
	// Why HMAC rather than plain SHA-256: each code has 80 random bits, so
	// even a plain SHA-256 of a leaked code table cannot be reversed. The
	// key adds two things: a copy of the database alone does not even let
	// an attacker test guesses offline, and an attacker who can write to
	// the database cannot plant the hash of a code of their own choosing.
	// Each hash also covers the user identifier, so a hash copied to
	// another user's set does not verify there.
	Key []byte

	// Store holds the hashes. Required: backup codes must survive restarts,
	// so there is no in-memory default ([MemoryStore] is fine in tests).
	Store BackupStore

	// Count is how many codes [BackupCodes.Generate] makes, 5 to 50.
	// Default 10.
	Count int

	// AttemptStore counts failed attempts per user. Default: a new
	// [MemoryStore]. Pass the same store as [Config.AttemptStore], with the
	// same MaxFailures and LockoutDuration, so that TOTP and backup code
	// failures share one budget per user.
	AttemptStore AttemptStore

	// MaxFailures and LockoutDuration work as in [Config]: defaults 5 and
	// 15 minutes, ranges 1 to 20 and 30s to 24h.
	MaxFailures     int
	LockoutDuration time.Duration

	// Now returns the current time (for the lock-out). Default time.Now.
	Now func() time.Time
}

// String describes the configuration with Key replaced by "[REDACTED]",
// for example "{Key:[REDACTED] Store:*redisstore.Store Count:10
// AttemptStore:<nil> MaxFailures:0 LockoutDuration:0s}".
func (c BackupConfig) String() string {
	return fmt.Sprintf("{Key:%s Store:%s Count:%d AttemptStore:%s MaxFailures:%d LockoutDuration:%v}",
		redacted, typeName(c.Store), c.Count, typeName(c.AttemptStore), c.MaxFailures, c.LockoutDuration)
}

// GoString is like String, so %#v does not print the key either.
func (c BackupConfig) GoString() string { return "totp.BackupConfig" + c.String() }

// Format writes String for every verb (GoString for %#v): a config printed
// in a start-up log never shows the key.
func (c BackupConfig) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, c.GoString())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue returns String, so log/slog never records the key.
func (c BackupConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON writes String as a JSON string, without the key.
func (c BackupConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// MarshalText writes String, so text encoders other than JSON (XML, YAML)
// never write the key either.
func (c BackupConfig) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// typeName returns v's dynamic type, or "<nil>".
func typeName(v any) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T", v)
}

// BackupCodes makes and verifies single-use recovery codes for users who lost
// their authenticator. Create it with [NewBackupCodes] (the zero value is not
// usable); it is safe for concurrent use. It holds the HMAC key, so it never prints itself.
type BackupCodes struct {
	// key is boxed so that fmt, which prints unexported fields by
	// reflection, never reaches the key bytes.
	key         opaque.Box[[]byte]
	store       BackupStore
	count       int
	attempts    AttemptStore
	maxFailures int
	lockout     time.Duration
	now         func() time.Time
}

// NewBackupCodes validates cfg and returns a BackupCodes. Errors name the
// offending field and never include the key.
func NewBackupCodes(cfg BackupConfig) (*BackupCodes, error) {
	if len(cfg.Key) < MinBackupKeyBytes {
		return nil, fmt.Errorf("totp: BackupConfig.Key must be at least %d bytes", MinBackupKeyBytes)
	}
	if cfg.Store == nil {
		return nil, errors.New("totp: BackupConfig.Store is required")
	}
	b := &BackupCodes{
		key:         opaque.New(append([]byte(nil), cfg.Key...)),
		store:       cfg.Store,
		count:       cfg.Count,
		attempts:    cfg.AttemptStore,
		maxFailures: cfg.MaxFailures,
		lockout:     cfg.LockoutDuration,
		now:         cfg.Now,
	}
	switch {
	case b.count == 0:
		b.count = 10
	case b.count < 5 || b.count > 50:
		return nil, fmt.Errorf("totp: BackupConfig.Count must be 5 to 50, got %d", cfg.Count)
	}
	var err error
	if b.maxFailures, b.lockout, err = lockoutLimits("BackupConfig", cfg.MaxFailures, cfg.LockoutDuration); err != nil {
		return nil, err
	}
	if b.attempts == nil {
		b.attempts = NewMemoryStore()
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

// Generate makes a new set of codes for user, replaces the stored set with
// their hashes (old codes stop working), and returns the codes. Show them to
// the user once; they cannot be recovered later.
func (b *BackupCodes) Generate(ctx context.Context, user string) ([]string, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	codes := make([]string, b.count)
	hashes := make([][]byte, b.count)
	seen := make(map[string]bool, b.count)
	var raw [backupCodeBytes]byte
	var norm [backupCodeChars]byte
	mac := b.newMAC()
	for i := 0; i < b.count; {
		if _, err := io.ReadFull(rand.Reader, raw[:]); err != nil {
			return nil, fmt.Errorf("totp: reading random backup code: %w", err)
		}
		code := encodeBackupCode(&raw)
		if seen[code] { // 2^-80 per pair; kept so the set size is exact
			continue
		}
		seen[code] = true
		normalizeBackupCode(code, &norm)
		codes[i] = code
		hashes[i] = b.sum(mac, user, &norm)
		i++
	}
	if err := b.store.SetBackupCodes(ctx, user, hashes); err != nil {
		return nil, fmt.Errorf("totp: backup store: %w", err)
	}
	return codes, nil
}

// Verify checks code against user's unused backup codes and consumes it on
// success: each code works once, and of several concurrent uses of one code
// exactly one succeeds. It returns nil on success and otherwise
// [ErrInvalidUser], [ErrInvalidCode] (malformed: not counted; unknown or used:
// counted), a [*LockedOutError] or a wrapped store error.
//
// The HMAC of the input is compared with every stored hash in constant time,
// without stopping at a match.
func (b *BackupCodes) Verify(ctx context.Context, user, code string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	var norm [backupCodeChars]byte
	if !normalizeBackupCode(code, &norm) {
		return ErrInvalidCode
	}
	ok, until, err := b.attempts.Attempt(ctx, user, b.now(), b.maxFailures, b.lockout)
	if err != nil {
		return fmt.Errorf("totp: attempt store: %w", err)
	}
	if !ok {
		return &LockedOutError{Until: until}
	}
	hashes, err := b.store.BackupCodes(ctx, user)
	if err != nil {
		return fmt.Errorf("totp: backup store: %w", err)
	}
	sum := b.sum(b.newMAC(), user, &norm)
	match := 0
	for _, h := range hashes {
		match |= subtle.ConstantTimeCompare(h, sum)
	}
	if match != 1 {
		return ErrInvalidCode
	}
	consumed, err := b.store.ConsumeBackupCode(ctx, user, sum)
	if err != nil {
		return fmt.Errorf("totp: backup store: %w", err)
	}
	if !consumed { // a concurrent use won
		return ErrInvalidCode
	}
	_ = b.attempts.ResetAttempts(ctx, user) // see Verifier.Verify
	return nil
}

// Remaining returns how many unused backup codes user has.
func (b *BackupCodes) Remaining(ctx context.Context, user string) (int, error) {
	if err := checkUser(user); err != nil {
		return 0, err
	}
	hashes, err := b.store.BackupCodes(ctx, user)
	if err != nil {
		return 0, fmt.Errorf("totp: backup store: %w", err)
	}
	return len(hashes), nil
}

// Delete removes all of user's backup codes (when they turn two-factor
// authentication off). Deleting when there are none is a no-op.
func (b *BackupCodes) Delete(ctx context.Context, user string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := b.store.SetBackupCodes(ctx, user, nil); err != nil {
		return fmt.Errorf("totp: backup store: %w", err)
	}
	return nil
}

func (b *BackupCodes) newMAC() hash.Hash { return hmac.New(sha256.New, *b.key.Get()) }

// sum returns HMAC-SHA256(key, label || len(user) || user || code).
func (b *BackupCodes) sum(mac hash.Hash, user string, norm *[backupCodeChars]byte) []byte {
	mac.Reset()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(user)))
	_, _ = io.WriteString(mac, backupLabel)
	_, _ = mac.Write(n[:])
	_, _ = io.WriteString(mac, user)
	_, _ = mac.Write(norm[:])
	return mac.Sum(nil)
}

// String returns "[REDACTED]".
func (BackupCodes) String() string { return redacted }

// GoString returns "[REDACTED]".
func (BackupCodes) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb.
func (BackupCodes) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue returns "[REDACTED]".
func (BackupCodes) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (BackupCodes) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for text encoders other than JSON.
func (BackupCodes) MarshalText() ([]byte, error) { return []byte(redacted), nil }
