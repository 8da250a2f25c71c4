package authn

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Errors returned by [Hasher].
var (
	// ErrInvalidCredentials is the one error for every failed password check:
	// wrong password, unknown user, unreadable stored hash. It never says
	// which of these happened.
	ErrInvalidCredentials = errors.New("authn: invalid credentials")

	// ErrHashFormat reports a stored hash that is neither an argon2id PHC
	// string nor a bcrypt hash within sane limits. [Hasher.Verify] returns it
	// so operators can find corrupt rows; [Authenticate] folds it into
	// ErrInvalidCredentials.
	ErrHashFormat = errors.New("authn: unrecognised password hash format")

	// ErrPasswordTooLong is returned by [Hasher.Hash] for input longer than
	// [HasherConfig].MaxPasswordBytes. The length is checked before any
	// hashing work is done.
	ErrPasswordTooLong = errors.New("authn: password too long")

	// errHasherZero is returned by every method of a Hasher not created by
	// NewHasher, which has no parameters and no hashing slots.
	errHasherZero = errors.New("authn: Hasher not created by NewHasher")
)

// Default argon2id parameters: the OWASP Password Storage Cheat Sheet's
// 19 MiB / 2 passes / 1 lane, which RFC 9106 section 4 allows for
// memory-constrained servers. A hash takes roughly 20-40 ms on one core.
const (
	DefaultHasherMemory      = 19 * 1024 // KiB
	DefaultHasherTime        = 2
	DefaultHasherParallelism = 1
	// DefaultHasherMaxPasswordBytes bounds the input. 1 KiB holds 256
	// characters of any script, four times NIST's 64-character floor.
	DefaultHasherMaxPasswordBytes = 1024

	hasherSaltLen = 16 // RFC 9106 recommends 128 bits
	hasherKeyLen  = 32
	// hasherMemoryBudget caps the memory all in-flight hashes may use when
	// MaxConcurrent is left at zero.
	hasherMemoryBudget = 512 << 10 // KiB = 512 MiB
	// hasherMaxBcryptCost bounds the work one stored bcrypt hash can demand.
	// Cost 31 would take days; real deployments use 10 to 14.
	hasherMaxBcryptCost = 18
)

// HasherConfig configures a [Hasher]. The zero value is ready to use and
// selects the defaults described on each field.
type HasherConfig struct {
	// Memory is the argon2id memory cost in KiB. Default
	// DefaultHasherMemory (19 MiB). Together with Time it must meet the
	// OWASP minimums (Memory >= 7 MiB and Memory*Time >= 35 MiB-passes)
	// unless UnsafeWeakParameters is set.
	Memory uint32

	// Time is the argon2id number of passes. Default DefaultHasherTime (2).
	Time uint32

	// Parallelism is the argon2id number of lanes. Default 1. More lanes
	// use more cores per hash; under a login flood that only moves the
	// bottleneck, so 1 is the right value for most servers.
	Parallelism uint8

	// MaxConcurrent is the number of hash computations (Hash, Verify,
	// Authenticate) allowed in flight at once; the rest wait, honouring
	// their context. Default: GOMAXPROCS, lowered so that
	// MaxConcurrent*Memory stays under 512 MiB, and at least 1. Setting it
	// high lets a login flood allocate MaxConcurrent*Memory at once. A
	// stored argon2id hash with more memory than Memory counts as several
	// computations (as many as its memory is worth, at most MaxConcurrent),
	// so the bound holds in memory, not just in number.
	MaxConcurrent int

	// MaxPasswordBytes is the longest password accepted, in bytes, checked
	// before any hashing. Default DefaultHasherMaxPasswordBytes (1024). Must
	// be at least 256 so that NIST's 64-character minimum holds for any
	// script.
	MaxPasswordBytes int

	// Normalize, if set, maps a password to the form that is hashed; it runs
	// in Hash and Verify alike. The default leaves the input untouched
	// except for folding full-width ASCII, the ideographic space and the
	// no-break space to their ASCII forms, exactly as NFKC does. Apps that
	// accept non-ASCII passwords from varied keyboards can set it to
	// golang.org/x/text/unicode/norm's NFKC.String. Choose once: changing it
	// later makes some existing non-ASCII passwords fail to verify.
	Normalize func(string) string

	// UnsafeWeakParameters allows Memory and Time below the OWASP minimums.
	// It exists for tests; never set it in production.
	UnsafeWeakParameters bool
}

// Hasher hashes passwords with argon2id and verifies argon2id and legacy
// bcrypt hashes. Create one with [NewHasher]; it is safe for concurrent use
// and bounds how many hashes run at once. A zero or nil Hasher refuses to
// work: its methods return an error and accept no password.
type Hasher struct {
	memory, time uint32
	parallelism  uint8
	maxBytes     int
	normalize    func(string) string
	sem          chan struct{} // one token per Memory KiB of hashing in flight
	wide         chan struct{} // held while taking several tokens; see acquireN

	// dummy is an argon2id hash with the configured parameters, computed on
	// first need, that Authenticate verifies against when the user does not
	// exist so that both paths cost the same.
	dummyOnce sync.Once
	dummy     hasherParams
}

// NewHasher validates cfg and returns a Hasher. It returns an error naming
// the field for parameters below the OWASP minimums or out of range.
func NewHasher(cfg HasherConfig) (*Hasher, error) {
	h := &Hasher{
		memory:      cfg.Memory,
		time:        cfg.Time,
		parallelism: cfg.Parallelism,
		maxBytes:    cfg.MaxPasswordBytes,
		normalize:   cfg.Normalize,
	}
	if h.memory == 0 {
		h.memory = DefaultHasherMemory
	}
	if h.time == 0 {
		h.time = DefaultHasherTime
	}
	if h.parallelism == 0 {
		h.parallelism = DefaultHasherParallelism
	}
	if h.maxBytes == 0 {
		h.maxBytes = DefaultHasherMaxPasswordBytes
	}
	if h.normalize == nil {
		h.normalize = hasherFoldWidth
	}
	switch {
	case h.memory < 8*uint32(h.parallelism):
		return nil, errors.New("authn: HasherConfig.Memory must be at least 8 KiB per lane")
	case h.memory > hasherMaxMemoryKiB:
		return nil, fmt.Errorf("authn: HasherConfig.Memory must be at most %d KiB", hasherMaxMemoryKiB)
	case h.time > hasherMaxTime:
		return nil, fmt.Errorf("authn: HasherConfig.Time must be at most %d", hasherMaxTime)
	case !cfg.UnsafeWeakParameters && h.memory < 7*1024:
		return nil, errors.New("authn: HasherConfig.Memory below the OWASP minimum of 7168 KiB")
	case !cfg.UnsafeWeakParameters && uint64(h.memory)*uint64(h.time) < 35*1024:
		return nil, errors.New("authn: HasherConfig.Memory*Time below the OWASP minimum (e.g. 19456 KiB with Time 2)")
	case h.maxBytes < 256:
		return nil, errors.New("authn: HasherConfig.MaxPasswordBytes must be at least 256")
	case cfg.MaxConcurrent < 0:
		return nil, errors.New("authn: HasherConfig.MaxConcurrent must not be negative")
	}
	n := cfg.MaxConcurrent
	if n == 0 {
		n = min(runtime.GOMAXPROCS(0), int(hasherMemoryBudget/h.memory))
		n = max(n, 1)
	}
	h.sem = make(chan struct{}, n)
	h.wide = make(chan struct{}, 1)
	return h, nil
}

// MustNewHasher is like [NewHasher] but panics on an invalid configuration.
// It is meant for tests and package-level initialisation with constant
// configuration.
func MustNewHasher(cfg HasherConfig) *Hasher {
	h, err := NewHasher(cfg)
	if err != nil {
		panic(err)
	}
	return h
}

// Hash returns the argon2id PHC string of password with a fresh random salt,
// for example
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// It waits for a free hashing slot first and returns the context's error if
// ctx ends while waiting. It returns [ErrPasswordTooLong] for input over the
// configured limit. Hash does not apply a [Policy]; check new passwords with
// one first.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if !h.ready() {
		return "", errHasherZero
	}
	if len(password) > h.maxBytes {
		return "", ErrPasswordTooLong
	}
	p := hasherParams{memory: h.memory, time: h.time, parallelism: h.parallelism}
	p.salt = make([]byte, hasherSaltLen)
	if _, err := rand.Read(p.salt); err != nil {
		return "", fmt.Errorf("authn: reading random salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	p.key = hasherDerive([]byte(h.normalize(password)), p, hasherKeyLen)
	h.release()
	return hasherEncodePHC(p), nil
}

// Verify checks password against a stored hash: an argon2id PHC string or a
// bcrypt hash ($2a$, $2b$, $2y$). It returns nil on a match,
// [ErrInvalidCredentials] on a mismatch or an over-long password,
// [ErrHashFormat] when encoded is not a recognised hash, and the context's
// error if ctx ends while waiting for a hashing slot. The comparison is
// constant-time. After a successful Verify, call [Hasher.NeedsRehash] to
// upgrade old hashes.
//
// bcrypt, in every implementation, looks only at the first 72 bytes of a
// password; legacy bcrypt hashes keep that limit until rehashed.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) error {
	if !h.ready() {
		return errHasherZero
	}
	if len(password) > h.maxBytes {
		return ErrInvalidCredentials
	}
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		p, err := hasherParsePHC(encoded)
		if err != nil {
			return ErrHashFormat
		}
		return h.verifyArgon2(ctx, password, p)
	case hasherIsBcrypt(encoded):
		if err := h.acquire(ctx); err != nil {
			return err
		}
		defer h.release()
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(h.normalize(password)))
		switch {
		case err == nil:
			return nil
		case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
			return ErrInvalidCredentials
		default:
			return ErrHashFormat
		}
	default:
		return ErrHashFormat
	}
}

func (h *Hasher) verifyArgon2(ctx context.Context, password string, p hasherParams) error {
	n := h.slots(p.memory)
	if err := h.acquireN(ctx, n); err != nil {
		return err
	}
	got := hasherDerive([]byte(h.normalize(password)), p, len(p.key))
	h.releaseN(n)
	if subtle.ConstantTimeCompare(got, p.key) != 1 {
		return ErrInvalidCredentials
	}
	return nil
}

// NeedsRehash reports whether encoded should be replaced by a fresh
// [Hasher.Hash] of the same password, which the caller knows right after a
// successful [Hasher.Verify]. It is true for bcrypt hashes, for argon2id
// hashes with lower memory, passes, lanes, salt or output length than
// configured, and for anything unparseable.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, err := hasherParsePHC(encoded)
	if err != nil || !h.ready() {
		return true
	}
	return p.memory < h.memory || p.time < h.time || p.parallelism < h.parallelism ||
		len(p.salt) < hasherSaltLen || len(p.key) < hasherKeyLen
}

// Authenticate checks a login in equal time whether or not the user exists.
// lookup returns the user and their stored hash, found=false for an unknown
// user, or an error for a backend failure. For an unknown user Authenticate
// still verifies the password against a dummy hash with the configured
// parameters, so response time does not reveal which accounts exist.
//
// Every credential failure (unknown user, wrong password, unreadable stored
// hash) returns [ErrInvalidCredentials]. A lookup error is returned wrapped,
// so the caller can answer 503 rather than 401; do not show its text to the
// client. Users whose stored hash is still bcrypt take bcrypt's time rather
// than argon2id's until they are rehashed; the parameters of the hashes in
// your database should be uniform for timing to reveal nothing.
// needsRehash reports [Hasher.NeedsRehash] for a successful login:
// the caller should then store h.Hash(ctx, password).
func Authenticate[U any](ctx context.Context, h *Hasher, password string,
	lookup func(ctx context.Context) (user U, hash string, found bool, err error),
) (user U, needsRehash bool, err error) {
	var zero U
	if !h.ready() {
		return zero, false, errHasherZero
	}
	if len(password) > h.maxBytes {
		// Before the lookup, so known and unknown users take the same
		// (short) path.
		return zero, false, ErrInvalidCredentials
	}
	u, encoded, found, err := lookup(ctx)
	if err != nil {
		return zero, false, fmt.Errorf("authn: user lookup: %w", err)
	}
	if !found {
		// Same work as a real argon2id check with current parameters.
		if err := h.verifyArgon2(ctx, password, h.dummyHash()); err != nil && !errors.Is(err, ErrInvalidCredentials) {
			return zero, false, err
		}
		return zero, false, ErrInvalidCredentials
	}
	if err := h.Verify(ctx, password, encoded); err != nil {
		if errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrHashFormat) {
			return zero, false, ErrInvalidCredentials
		}
		return zero, false, err
	}
	return u, h.NeedsRehash(encoded), nil
}

// dummyHash returns the parameters of a hash nobody knows the password of.
func (h *Hasher) dummyHash() hasherParams {
	h.dummyOnce.Do(func() {
		h.dummy = hasherParams{memory: h.memory, time: h.time, parallelism: h.parallelism,
			salt: make([]byte, hasherSaltLen), key: make([]byte, hasherKeyLen)}
		// A random key: no password maps to it in practice, and the salt
		// value does not change the cost.
		_, _ = rand.Read(h.dummy.key)
	})
	return h.dummy
}

// ready reports whether h was created by NewHasher.
func (h *Hasher) ready() bool { return h != nil && h.sem != nil }

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// slots returns how many hashing slots an argon2id computation with memory
// KiB takes: its memory in units of the configured Memory, rounded up, and
// at least 1 but at most all of them.
func (h *Hasher) slots(memory uint32) int {
	n := (uint64(memory) + uint64(h.memory) - 1) / uint64(h.memory)
	return int(min(max(n, 1), uint64(cap(h.sem))))
}

// acquireN takes n slots. Only one caller at a time gathers several slots
// (holding h.wide), so two heavy hashes cannot each hold part of what they
// need and wait for the other; single-slot callers are not held up by it.
// On failure it returns the slots it took.
func (h *Hasher) acquireN(ctx context.Context, n int) error {
	if n == 1 {
		return h.acquire(ctx)
	}
	select {
	case h.wide <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-h.wide }()
	for i := range n {
		if err := h.acquire(ctx); err != nil {
			h.releaseN(i)
			return err
		}
	}
	return nil
}

func (h *Hasher) releaseN(n int) {
	for range n {
		h.release()
	}
}

// hasherIsBcrypt reports whether s looks like a modular-crypt bcrypt hash
// with a cost this package is willing to run.
func hasherIsBcrypt(s string) bool {
	if len(s) != 60 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return false
	}
	switch s[2] {
	case 'a', 'b', 'y':
	default:
		return false
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return false
	}
	cost := int(s[4]-'0')*10 + int(s[5]-'0')
	return cost >= bcrypt.MinCost && cost <= hasherMaxBcryptCost
}

// hasherFoldWidth is the default normalisation: the subset of NFKC that
// matters for typed passwords and needs no tables. Full-width ASCII
// (U+FF01..U+FF5E), produced by East Asian input methods, maps to ASCII;
// the ideographic space U+3000 and no-break space U+00A0 map to U+0020.
// NFKC maps these the same way, so switching to full NFKC later keeps such
// hashes valid. Everything else is left as typed.
func hasherFoldWidth(s string) string {
	i := strings.IndexFunc(s, hasherFoldable)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for rest := s[i:]; rest != ""; {
		// Decode by hand: ranging over the string would turn invalid
		// UTF-8 into U+FFFD and change bytes we must keep.
		r, n := utf8.DecodeRuneInString(rest)
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteByte(byte(r - 0xFF01 + '!'))
		case r == 0x3000 || r == 0x00A0:
			b.WriteByte(' ')
		default:
			b.WriteString(rest[:n])
		}
		rest = rest[n:]
	}
	return b.String()
}

func hasherFoldable(r rune) bool {
	return (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 || r == 0x00A0
}
