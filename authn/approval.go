package authn

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Errors returned by [Approvals.Verify] and [Approvals.Redeem].
var (
	// ErrApprovalInvalid reports a link that is malformed, forged, signed
	// with an unknown key, or issued for another purpose. It never says
	// which.
	ErrApprovalInvalid = errors.New("authn: invalid approval link")
	// ErrApprovalExpired reports an authentic link past its expiry.
	ErrApprovalExpired = errors.New("authn: approval link expired")
	// ErrApprovalUsed reports an authentic single-use link that has already
	// been redeemed.
	ErrApprovalUsed = errors.New("authn: approval link already used")
)

const (
	// ApprovalMinKeySize is the minimum HMAC key size in bytes.
	ApprovalMinKeySize = 32
	// DefaultApprovalTTL is the lifetime of a link whose request sets none.
	DefaultApprovalTTL = 15 * time.Minute
	// DefaultApprovalMaxTTL is the longest lifetime Sign accepts by default.
	DefaultApprovalMaxTTL = 7 * 24 * time.Hour

	approvalVersion    = 1
	approvalFlagSingle = 1 << 0
	approvalNonceSize  = 16
	approvalMACSize    = sha256.Size
	approvalMaxPurpose = 64
	approvalMaxSubject = 512
	// approvalMaxEncoded bounds the text Verify will decode.
	approvalMaxEncoded = 1024
	// approvalLabel is prepended to every MAC input so these MACs cannot be
	// confused with other uses of the same key.
	approvalLabel = "bulwark/authn approval link v1\x00"
)

var approvalB64 = base64.RawURLEncoding.Strict()

// ApprovalConfig configures [Approvals].
type ApprovalConfig struct {
	// Keys are the HMAC-SHA256 keys, newest first: Keys[0] signs new links,
	// and a link signed with any of the keys verifies. To rotate, prepend a
	// new key and drop the oldest once every link it signed has expired.
	// Required; each key must be at least 32 random bytes (e.g. from
	// crypto/rand or a secrets manager) wrapped with [NewApprovalKey], and
	// must not be reused for any other purpose.
	Keys []ApprovalKey

	// Nonces remembers redeemed single-use links. Default: a new
	// [MemoryApprovalNonceStore], which is not shared between processes;
	// with several instances use the Redis store or a link could be
	// redeemed once per instance.
	Nonces ApprovalNonceStore

	// MaxTTL is the longest lifetime Sign accepts. Default 7 days.
	MaxTTL time.Duration

	// Now returns the current time. Default time.Now.
	Now func() time.Time
}

// Approvals signs and verifies links for human-in-the-loop approval, such
// as "an AI agent wants to send this payment: approve?". A link token
// carries a purpose, a subject (e.g. the action ID), an expiry and, for
// single-use links, a random nonce, all authenticated with HMAC-SHA256. It
// is signed, not encrypted: the subject is readable by whoever holds the
// link, so put an ID there, never a secret. Create Approvals with
// [NewApprovals]; it is safe for concurrent use.
//
// Link scanners and mail previewers follow links: show the action on GET
// with [Approvals.Verify], and act only on a POST from that page with
// [Approvals.Redeem].
//
// A zero or nil Approvals has no key: Sign returns an error and every link
// is [ErrApprovalInvalid].
type Approvals struct {
	keys   []*approvalMACPool
	nonces ApprovalNonceStore
	maxTTL time.Duration
	now    func() time.Time
}

// NewApprovals validates cfg and returns Approvals.
func NewApprovals(cfg ApprovalConfig) (*Approvals, error) {
	a := &Approvals{nonces: cfg.Nonces, maxTTL: cfg.MaxTTL, now: cfg.Now}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("authn: ApprovalConfig.Keys must hold at least one key")
	}
	for i, k := range cfg.Keys {
		if len(k.bytes()) < ApprovalMinKeySize {
			return nil, fmt.Errorf("authn: ApprovalConfig.Keys[%d] is shorter than %d bytes", i, ApprovalMinKeySize)
		}
		a.keys = append(a.keys, newApprovalMACPool(k))
	}
	if a.nonces == nil {
		a.nonces = NewMemoryApprovalNonceStore()
	}
	if a.maxTTL == 0 {
		a.maxTTL = DefaultApprovalMaxTTL
	}
	if a.maxTTL < 0 {
		return nil, errors.New("authn: ApprovalConfig.MaxTTL must be positive")
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a, nil
}

// MustNewApprovals is like [NewApprovals] but panics on an invalid
// configuration.
func MustNewApprovals(cfg ApprovalConfig) *Approvals {
	a, err := NewApprovals(cfg)
	if err != nil {
		panic(err)
	}
	return a
}

// ApprovalRequest describes a link to sign.
type ApprovalRequest struct {
	// Purpose names the kind of approval, e.g. "agent-payment". Required,
	// 1 to 64 bytes. Verify checks it, so a link for one kind of action
	// cannot approve another.
	Purpose string
	// Subject identifies what is approved, e.g. a pending action's ID.
	// Required, 1 to 512 bytes. Readable by the link holder.
	Subject string
	// TTL is the link lifetime. Default DefaultApprovalTTL (15 minutes),
	// at most ApprovalConfig.MaxTTL.
	TTL time.Duration
	// SingleUse makes the link redeemable once: Redeem records its nonce
	// in the nonce store until it expires.
	SingleUse bool
}

// Approval is the verified content of a link.
type Approval struct {
	Purpose   string    // the ApprovalRequest.Purpose the link was signed for
	Subject   string    // the ApprovalRequest.Subject: what is approved
	ExpiresAt time.Time // when the link stops working, to the second
	SingleUse bool      // whether Redeem accepts the link only once
}

// Sign returns a link token for req: URL-safe base64, to be placed in a
// path segment or fragment of the approval URL. Expiry has one-second
// resolution.
func (a *Approvals) Sign(req ApprovalRequest) (string, error) {
	if a == nil || len(a.keys) == 0 {
		return "", errors.New("authn: Approvals not created by NewApprovals")
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = DefaultApprovalTTL
	}
	switch {
	case req.Purpose == "" || len(req.Purpose) > approvalMaxPurpose:
		return "", errors.New("authn: ApprovalRequest.Purpose must be 1 to 64 bytes")
	case req.Subject == "" || len(req.Subject) > approvalMaxSubject:
		return "", errors.New("authn: ApprovalRequest.Subject must be 1 to 512 bytes")
	case ttl < 0 || ttl > a.maxTTL:
		return "", errors.New("authn: ApprovalRequest.TTL must be positive and at most ApprovalConfig.MaxTTL")
	}
	exp := a.now().Add(ttl).Unix()
	b := make([]byte, 0, 2+8+approvalNonceSize+1+len(req.Purpose)+2+len(req.Subject)+approvalMACSize)
	var flags byte
	if req.SingleUse {
		flags |= approvalFlagSingle
	}
	b = append(b, approvalVersion, flags)
	b = binary.BigEndian.AppendUint64(b, uint64(exp))
	if req.SingleUse {
		var nonce [approvalNonceSize]byte
		if _, err := rand.Read(nonce[:]); err != nil {
			return "", fmt.Errorf("authn: reading random nonce: %w", err)
		}
		b = append(b, nonce[:]...)
	}
	b = append(b, byte(len(req.Purpose)))
	b = append(b, req.Purpose...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(req.Subject)))
	b = append(b, req.Subject...)
	b = a.keys[0].sum(b, b)
	return approvalB64.EncodeToString(b), nil
}

// Verify checks a link token's signature, purpose and expiry without
// consuming it, for showing the user what they are about to approve. It
// returns [ErrApprovalInvalid] or [ErrApprovalExpired] on failure. The MAC
// comparison is constant-time.
func (a *Approvals) Verify(purpose, token string) (Approval, error) {
	ap, _, err := a.verify(purpose, token)
	return ap, err
}

// Redeem is [Approvals.Verify] followed, for single-use links, by an atomic
// claim of the link's nonce: among concurrent Redeems of one link exactly
// one succeeds and the others get [ErrApprovalUsed]. Call it when the user
// confirms, and act on the approval only if it returns nil. Any other error
// is a nonce-store failure, in which case the link is not approved.
func (a *Approvals) Redeem(ctx context.Context, purpose, token string) (Approval, error) {
	ap, nonce, err := a.verify(purpose, token)
	if err != nil || !ap.SingleUse {
		return ap, err
	}
	first, err := a.nonces.ClaimApprovalNonce(ctx, nonce, ap.ExpiresAt)
	if err != nil {
		return Approval{}, fmt.Errorf("authn: claiming approval nonce: %w", err)
	}
	if !first {
		return Approval{}, ErrApprovalUsed
	}
	return ap, nil
}

func (a *Approvals) verify(purpose, token string) (Approval, [approvalNonceSize]byte, error) {
	var nonce [approvalNonceSize]byte
	if a == nil || len(a.keys) == 0 || len(token) > approvalMaxEncoded {
		return Approval{}, nonce, ErrApprovalInvalid
	}
	for i := 0; i < len(token); i++ {
		// encoding/base64 skips '\r' and '\n'; a link has one spelling.
		if c := token[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return Approval{}, nonce, ErrApprovalInvalid
		}
	}
	raw, err := approvalB64.DecodeString(token)
	if err != nil || len(raw) < approvalMACSize {
		return Approval{}, nonce, ErrApprovalInvalid
	}
	payload, mac := raw[:len(raw)-approvalMACSize], raw[len(raw)-approvalMACSize:]
	var sum [approvalMACSize]byte
	ok := false
	for _, k := range a.keys {
		if hmac.Equal(k.sum(sum[:0], payload), mac) {
			ok = true
			break
		}
	}
	if !ok {
		return Approval{}, nonce, ErrApprovalInvalid
	}
	// Authentic from here on; parse strictly all the same.
	ap, nonce, err := approvalParse(payload)
	if err != nil || ap.Purpose != purpose {
		return Approval{}, nonce, ErrApprovalInvalid
	}
	if !a.now().Before(ap.ExpiresAt) {
		return Approval{}, nonce, ErrApprovalExpired
	}
	return ap, nonce, nil
}

// errApprovalPayload is approvalParse's one failure; Verify reports it as
// ErrApprovalInvalid.
var errApprovalPayload = errors.New("malformed approval payload")

// approvalParse decodes a payload: version, flags, expiry (int64 Unix
// seconds, big endian), nonce if single-use, purpose (1-byte length),
// subject (2-byte length). Trailing bytes are an error.
func approvalParse(p []byte) (Approval, [approvalNonceSize]byte, error) {
	var ap Approval
	var nonce [approvalNonceSize]byte
	bad := errApprovalPayload
	if len(p) < 2+8 || p[0] != approvalVersion || p[1]&^approvalFlagSingle != 0 {
		return ap, nonce, bad
	}
	ap.SingleUse = p[1]&approvalFlagSingle != 0
	ap.ExpiresAt = time.Unix(int64(binary.BigEndian.Uint64(p[2:10])), 0)
	p = p[10:]
	if ap.SingleUse {
		if len(p) < approvalNonceSize {
			return ap, nonce, bad
		}
		copy(nonce[:], p)
		p = p[approvalNonceSize:]
	}
	if len(p) < 1 || len(p) < 1+int(p[0]) {
		return ap, nonce, bad
	}
	ap.Purpose, p = string(p[1:1+int(p[0])]), p[1+int(p[0]):]
	if len(p) < 2 {
		return ap, nonce, bad
	}
	n := int(binary.BigEndian.Uint16(p))
	if len(p) != 2+n || ap.Purpose == "" || n == 0 {
		return ap, nonce, bad
	}
	ap.Subject = string(p[2:])
	return ap, nonce, nil
}

// approvalMACPool computes HMAC-SHA256(key, approvalLabel || msg) with
// pooled HMAC states, so verifying a link does not rebuild the keyed hash.
type approvalMACPool struct {
	pool  sync.Pool
	label []byte // approvalLabel, converted once rather than on every sum
}

func newApprovalMACPool(key ApprovalKey) *approvalMACPool {
	k := key.bytes() // a fresh copy
	return &approvalMACPool{
		pool:  sync.Pool{New: func() any { return hmac.New(sha256.New, k) }},
		label: []byte(approvalLabel),
	}
}

// sum appends the MAC of msg to dst.
func (p *approvalMACPool) sum(dst, msg []byte) []byte {
	m := p.pool.Get().(hash.Hash)
	m.Reset()
	m.Write(p.label)
	m.Write(msg)
	dst = m.Sum(dst)
	p.pool.Put(m)
	return dst
}

// ApprovalKey is an HMAC key for [Approvals]; create one with
// [NewApprovalKey]. It is a secret: its String, GoString, Format, LogValue,
// MarshalJSON and MarshalText methods print [REDACTED], so a logged
// [ApprovalConfig] does not reveal it. The bytes sit behind a pointer, so
// even a struct holding an ApprovalKey or an ApprovalConfig in an unexported
// field, where fmt cannot call those methods, prints an address rather than
// the key. The zero ApprovalKey is empty and rejected by [NewApprovals].
type ApprovalKey struct {
	// A pointer to a string: fmt prints only its address, even in the
	// %!s(…) form it uses for a verb that does not fit, which follows a
	// pointer to a slice, array, map or struct and prints what it points to.
	p *string
}

// NewApprovalKey returns an ApprovalKey holding a copy of key, which should
// be at least [ApprovalMinKeySize] random bytes from crypto/rand or a
// secrets manager; [NewApprovals] checks the length. Later changes to key do
// not affect the result.
func NewApprovalKey(key []byte) ApprovalKey {
	s := string(key)
	return ApprovalKey{p: &s}
}

func (k ApprovalKey) bytes() []byte {
	if k.p == nil {
		return nil
	}
	return []byte(*k.p)
}

// String returns "[REDACTED]".
func (ApprovalKey) String() string { return redacted }

// GoString returns "[REDACTED]".
func (ApprovalKey) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (ApprovalKey) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue implements [slog.LogValuer].
func (ApprovalKey) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (ApprovalKey) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for encoders that use text marshalling.
func (ApprovalKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Format prints Approvals without its keys, whatever the verb.
func (a *Approvals) Format(f fmt.State, _ rune) {
	n := 0
	if a != nil {
		n = len(a.keys)
	}
	_, _ = fmt.Fprintf(f, "authn.Approvals{keys: %d [REDACTED]}", n)
}
