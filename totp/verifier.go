package totp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Period is the TOTP time step, fixed at the 30 seconds of RFC 6238 section 5.2
// that every authenticator app supports.
const Period = 30 * time.Second

const periodSeconds = uint64(Period / time.Second)

// NoSkew, as [Config.Skew], accepts only the current time step.
const NoSkew = -1

// maxUserLen bounds user identifiers so a store key cannot be made huge.
const maxUserLen = 512

// Algorithm is the HMAC hash of the TOTP code. The zero value is [SHA1].
type Algorithm int

// Algorithms of RFC 6238. Most authenticator apps support only SHA1 and
// silently compute wrong codes for the others; choose SHA256 or SHA512 only
// when you control the authenticator.
const (
	SHA1 Algorithm = iota
	SHA256
	SHA512
)

// String returns "SHA1", "SHA256" or "SHA512".
func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// Config configures a [Verifier]. Only Issuer is required; every other zero
// field takes the safe default named in its comment.
type Config struct {
	// Issuer names the service in authenticator apps ("Example Corp"). It is
	// required, must not contain a colon or control characters and must be at
	// most 100 bytes.
	Issuer string

	// Algorithm is the HMAC hash. Default SHA1. Danger: changing it (or
	// Digits) makes every existing enrolment produce codes that no longer
	// verify; store it with the secret if you ever need to change it.
	Algorithm Algorithm

	// Digits is the code length, 6 or 8. Default 6 (zero). Same danger as
	// Algorithm.
	Digits int

	// Skew is how many time steps before and after the current one are
	// accepted, 0 to 2 (use [NoSkew] for 0). Default 1 (zero): a code is
	// valid for about 90 seconds, tolerating slow typing and small clock
	// drift. Each extra step doubles an online guesser's odds per attempt.
	Skew int

	// MaxFailures is how many failed attempts a user gets before being locked
	// out for LockoutDuration, 1 to 20. Default 5.
	MaxFailures int

	// LockoutDuration is the window in which failures are counted and the
	// length of the lock-out after the last allowed failure, at least 30
	// seconds and at most 24 hours. Default 15 minutes. With the defaults, an
	// attacker who knows the password can try 20 codes an hour: about one
	// chance in 16,000 per hour of guessing a 6-digit code (skew 1). Alert
	// on repeated lock-outs.
	LockoutDuration time.Duration

	// ReplayStore records the last accepted time step per user. Default: a
	// new [MemoryStore] shared with the default AttemptStore. Danger: with
	// several instances, a memory store lets a code be used once per
	// instance; use totp/redisstore.
	ReplayStore ReplayStore

	// AttemptStore counts failed attempts per user. Default: the same
	// [MemoryStore] as the default ReplayStore. Same danger with several
	// instances: guesses spread across them are counted separately.
	AttemptStore AttemptStore

	// QRSize is the width and height in pixels of enrolment QR codes, 160 to
	// 1024. Default 256. The minimum fits the longest URI this package makes
	// (maximum-length non-ASCII issuer and account with a SHA512 secret).
	QRSize int

	// Now returns the current time. Default time.Now. Tests inject a fake
	// clock here.
	Now func() time.Time
}

// Verifier enrols users and verifies their TOTP codes with replay protection
// and attempt limits. Create it with [New] (the zero Verifier is not usable);
// it is safe for concurrent use.
// Most callers want [Verifier.Verify].
type Verifier struct {
	issuer      string
	algorithm   Algorithm
	digits      int
	skew        int
	maxFailures int
	lockout     time.Duration
	replay      ReplayStore
	attempts    AttemptStore
	qrSize      int
	now         func() time.Time

	opts    hotp.ValidateOpts
	ttl     time.Duration
	offsets []int64 // candidate steps relative to now: 0, -1, +1, -2, +2
}

// New validates cfg and returns a Verifier. Errors name the offending field.
func New(cfg Config) (*Verifier, error) {
	if err := checkLabel(cfg.Issuer, 100); err != nil {
		return nil, fmt.Errorf("totp: Config.Issuer: %w", err)
	}
	v := &Verifier{
		issuer:      cfg.Issuer,
		algorithm:   cfg.Algorithm,
		digits:      cfg.Digits,
		skew:        cfg.Skew,
		maxFailures: cfg.MaxFailures,
		lockout:     cfg.LockoutDuration,
		replay:      cfg.ReplayStore,
		attempts:    cfg.AttemptStore,
		qrSize:      cfg.QRSize,
		now:         cfg.Now,
	}
	var alg otp.Algorithm
	switch cfg.Algorithm {
	case SHA1:
		alg = otp.AlgorithmSHA1
	case SHA256:
		alg = otp.AlgorithmSHA256
	case SHA512:
		alg = otp.AlgorithmSHA512
	default:
		return nil, fmt.Errorf("totp: Config.Algorithm: unknown algorithm %d", int(cfg.Algorithm))
	}
	switch v.digits {
	case 0:
		v.digits = 6
	case 6, 8:
	default:
		return nil, fmt.Errorf("totp: Config.Digits must be 6 or 8, got %d", cfg.Digits)
	}
	switch {
	case v.skew == 0:
		v.skew = 1
	case v.skew == NoSkew:
		v.skew = 0
	case v.skew < 0 || v.skew > 2:
		return nil, fmt.Errorf("totp: Config.Skew must be NoSkew, 1 or 2, got %d", cfg.Skew)
	}
	var err error
	if v.maxFailures, v.lockout, err = lockoutLimits("Config", cfg.MaxFailures, cfg.LockoutDuration); err != nil {
		return nil, err
	}
	switch {
	case v.qrSize == 0:
		v.qrSize = 256
	case v.qrSize < 160 || v.qrSize > 1024:
		return nil, fmt.Errorf("totp: Config.QRSize must be 160 to 1024, got %d", cfg.QRSize)
	}
	if v.replay == nil || v.attempts == nil {
		m := NewMemoryStore()
		if v.replay == nil {
			v.replay = m
		}
		if v.attempts == nil {
			v.attempts = m
		}
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.opts = hotp.ValidateOpts{Digits: otp.Digits(v.digits), Algorithm: alg}
	// A step s can match while now's step is at most s+skew, and s can be
	// up to skew steps ahead when accepted: keep the record for 2*skew+1
	// steps, plus one for rounding.
	v.ttl = time.Duration(2*v.skew+2) * Period
	v.offsets = []int64{0}
	for i := int64(1); i <= int64(v.skew); i++ {
		v.offsets = append(v.offsets, -i, i)
	}
	return v, nil
}

// MustNew is like [New] but panics on error. It is meant for tests and
// examples with constant configuration.
func MustNew(cfg Config) *Verifier {
	v, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return v
}

// Verify checks code against secret for user and, on success, records the
// matched time step so that neither this code nor any code of an earlier step
// is accepted again for user. It returns nil on success and otherwise:
//
//   - [ErrInvalidUser] or [ErrInvalidSecret] for an empty user or zero secret
//     (programmer errors; nothing is counted);
//   - [ErrInvalidCode] for a malformed code (not counted as an attempt: no
//     secret was compared) or a wrong one (counted);
//   - [ErrReplayedCode] for a correct code of an already used step (counted);
//   - a [*LockedOutError] (errors.Is [ErrLockedOut]) while the user is locked
//     out; the code is then not checked at all;
//   - a wrapped store error when a store fails (fail closed).
//
// user is the stable identifier the stores key on (an opaque user ID rather
// than an email address). code may contain spaces and dashes; otherwise it
// must be exactly the configured number of ASCII digits.
//
// Every candidate step (the current one first, then the earlier and later
// ones within Skew) is computed with pquerna/otp's HOTP and compared to code
// in constant time. Verify stops at the first match: which step matched is
// not secret.
func (v *Verifier) Verify(ctx context.Context, user string, secret Secret, code string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if secret.IsZero() {
		return ErrInvalidSecret
	}
	var in [8]byte
	if !normalizeCode(code, v.digits, &in) {
		return ErrInvalidCode
	}
	now := v.now()
	ok, until, err := v.attempts.Attempt(ctx, user, now, v.maxFailures, v.lockout)
	if err != nil {
		return fmt.Errorf("totp: attempt store: %w", err)
	}
	if !ok {
		return &LockedOutError{Until: until}
	}
	unix := now.Unix()
	if unix < 0 {
		return ErrInvalidCode
	}
	enc := secret.k.Get().enc // not nil: IsZero was checked
	current := uint64(unix) / periodSeconds
	replayed := false
	for _, off := range v.offsets {
		if off < 0 && uint64(-off) > current {
			continue
		}
		step := current + uint64(off)
		want, err := hotp.GenerateCodeCustom(enc, step, v.opts)
		if err != nil {
			return ErrInvalidSecret
		}
		if subtle.ConstantTimeCompare([]byte(want), in[:v.digits]) != 1 {
			continue
		}
		accepted, err := v.replay.AcceptStep(ctx, user, step, v.ttl)
		if err != nil {
			return fmt.Errorf("totp: replay store: %w", err)
		}
		if !accepted {
			// Keep looking: the code may (rarely) also match a later step.
			replayed = true
			continue
		}
		// The step is consumed, so the login must succeed even if the
		// reset fails; the worst case is a stale failure count that
		// expires with the window.
		_ = v.attempts.ResetAttempts(ctx, user)
		return nil
	}
	if replayed {
		return ErrReplayedCode
	}
	return ErrInvalidCode
}

// ConfirmEnrollment proves that the user has set up the secret of a pending
// enrolment (from [Verifier.Enroll]): it is [Verifier.Verify] under the name
// that documents the flow. Mark the enrolment active only when it returns
// nil. The confirming code's step is recorded, so it cannot be reused for the
// next login. Replay records are per user, not per secret: a user who
// re-enrols within the same minute may have to wait for the next code.
func (v *Verifier) ConfirmEnrollment(ctx context.Context, user string, secret Secret, code string) error {
	return v.Verify(ctx, user, secret, code)
}

// lockoutLimits applies the defaults and ranges shared by [Config] and
// [BackupConfig] to MaxFailures and LockoutDuration; cfgName prefixes the
// field names in errors.
func lockoutLimits(cfgName string, maxFailures int, lockout time.Duration) (int, time.Duration, error) {
	switch {
	case maxFailures == 0:
		maxFailures = 5
	case maxFailures < 0 || maxFailures > 20:
		return 0, 0, fmt.Errorf("totp: %s.MaxFailures must be 1 to 20, got %d", cfgName, maxFailures)
	}
	switch {
	case lockout == 0:
		lockout = 15 * time.Minute
	case lockout < 30*time.Second || lockout > 24*time.Hour:
		return 0, 0, fmt.Errorf("totp: %s.LockoutDuration must be 30s to 24h, got %v", cfgName, lockout)
	}
	return maxFailures, lockout, nil
}

// checkUser rejects identifiers the stores should never see.
func checkUser(user string) error {
	if user == "" || len(user) > maxUserLen {
		return ErrInvalidUser
	}
	return nil
}

// checkLabel validates an issuer or account name for an otpauth:// label.
func checkLabel(s string, maxLen int) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > maxLen {
		return fmt.Errorf("must be at most %d bytes", maxLen)
	}
	if !utf8.ValidString(s) {
		return errors.New("must be valid UTF-8")
	}
	for _, r := range s {
		if r == ':' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return errors.New("must not contain a colon or control characters")
		}
	}
	return nil
}
