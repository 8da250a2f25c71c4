package ratelimit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"strings"
	"sync"

	"github.com/bulwark-go/bulwark/internal/clientip"
)

// unknownIPKey is the key shared by requests whose client address cannot
// be resolved (for example over an untrusted Unix socket): they are
// limited together rather than not at all.
const unknownIPKey = "unknown"

// IPKeyConfig configures [IPKey].
type IPKeyConfig struct {
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// is believed; the client is the rightmost address not inside these
	// prefixes. Default none: the socket peer is the client. Trusting a
	// prefix that clients can reach directly lets them choose their key.
	TrustedProxies []netip.Prefix

	// TrustUnixSocket treats the peer of a request accepted on a
	// Unix-domain socket listener as a trusted proxy, for a reverse proxy
	// on the same host that talks to the application through a socket
	// file: the client is then the rightmost untrusted X-Forwarded-For
	// entry. Such a peer has no IP address, so without this every client
	// behind the proxy shares the key "unknown", and one client's traffic
	// exhausts everybody's budget. Enable it only when the socket file's
	// permissions admit the proxy alone. The listener is read from the
	// request context: middleware in front of the Limiter must not
	// replace it with an unrelated one.
	TrustUnixSocket bool

	// IPv6Prefix is the prefix length IPv6 clients are grouped by. Default
	// 64: one subscriber's network, since a client typically controls a
	// whole /64 and could otherwise rotate addresses to escape the limit.
	// 128 limits single addresses (easy to evade); 48 or 56 is stricter.
	// Valid: 1 to 128.
	//
	// Two transition forms are keyed by the IPv4 address they embed
	// instead, masked to IPv4Prefix whatever IPv6Prefix is: 6to4
	// (2002::/16), where each IPv4 address owns a whole /48 and so 65,536
	// /64s, and Teredo (2001::/32), whose addresses a client can mint at
	// will. These keys have namespaces of their own ("6to4:203.0.113.9",
	// "teredo:192.0.2.45"), apart from native IPv4 clients: the relays
	// that carry return traffic to these ranges are often run by third
	// parties, and whoever runs one could otherwise spend a native IPv4
	// client's budget. Such an operator can still appear as any embedded
	// IPv4 address, so these namespaces bound ordinary 6to4 and Teredo
	// clients, not a hostile relay.
	IPv6Prefix int

	// IPv4Prefix is the prefix length IPv4 clients are grouped by. Default
	// 32 (one address). Valid: 1 to 32.
	IPv4Prefix int
}

// IPKey returns a KeyFunc keyed by the client's IP address (IPv4) or
// network (IPv6, /64 by default), resolved through trusted proxies only;
// see [IPKeyConfig]. It never skips: requests whose client address cannot
// be resolved (a Unix-socket peer not trusted through
// [IPKeyConfig.TrustUnixSocket], or a trusted one that sent no valid
// X-Forwarded-For entry) share the key "unknown".
func IPKey(cfg IPKeyConfig) (KeyFunc, error) {
	res, err := clientip.New(cfg.TrustedProxies, cfg.TrustUnixSocket)
	if err != nil {
		return nil, fmt.Errorf("ratelimit: IPKeyConfig.TrustedProxies: %w", err)
	}
	v6, v4 := cfg.IPv6Prefix, cfg.IPv4Prefix
	if v6 == 0 {
		v6 = 64
	}
	if v4 == 0 {
		v4 = 32
	}
	if v6 < 1 || v6 > 128 {
		return nil, fmt.Errorf("ratelimit: IPKeyConfig.IPv6Prefix %d is outside 1-128", cfg.IPv6Prefix)
	}
	if v4 < 1 || v4 > 32 {
		return nil, fmt.Errorf("ratelimit: IPKeyConfig.IPv4Prefix %d is outside 1-32", cfg.IPv4Prefix)
	}
	return func(r *http.Request) (string, bool) {
		addr, ok := res.ClientIP(r)
		if !ok {
			return unknownIPKey, true
		}
		return ipKey(addr, v4, v6), true
	}, nil
}

// ipKey formats addr masked to its family's prefix length.
func ipKey(addr netip.Addr, v4, v6 int) string {
	if a, ns := embeddedIPv4(addr); ns != "" {
		return ns + ipKey(a, v4, v6)
	}
	bits := v6
	if addr.Is4() {
		bits = v4
	}
	if bits == addr.BitLen() {
		return addr.String()
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return unknownIPKey
	}
	return p.String()
}

// embeddedIPv4 returns the IPv4 address a 6to4 (RFC 3056: 2002:AABB:CCDD::/48
// for A.B.C.D) or Teredo (RFC 4380: 2001:0000::/32, the client's public
// address in the last 32 bits, inverted) address stands for, and the key
// namespace of its kind; ns is "" for other addresses.
func embeddedIPv4(addr netip.Addr) (v4 netip.Addr, ns string) {
	if !addr.Is6() {
		return netip.Addr{}, ""
	}
	b := addr.As16()
	switch {
	case b[0] == 0x20 && b[1] == 0x02:
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), "6to4:"
	case b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0:
		return netip.AddrFrom4([4]byte{^b[12], ^b[13], ^b[14], ^b[15]}), "teredo:"
	}
	return netip.Addr{}, ""
}

// UserKey returns a KeyFunc keyed by the authenticated user, as reported
// by userID (typically a session lookup from the authentication package).
// Requests without a user (ok false or an empty ID) skip the rule; pair it
// with an [IPKey] rule so anonymous traffic is limited too. User IDs are
// used as given; hash them with [HashKey] if they are personal data such
// as email addresses.
func UserKey(userID func(r *http.Request) (id string, ok bool)) KeyFunc {
	return func(r *http.Request) (string, bool) {
		id, ok := userID(r)
		if !ok || id == "" {
			return "", false
		}
		return id, true
	}
}

// minSecret is the minimum length of a [HashKey] or [FormKey] secret.
const minSecret = 32

// hashLabel domain-separates the HMAC of rate-limit keys from any other
// use of the same secret.
const hashLabel = "bulwark ratelimit key v1\x00"

// ErrShortSecret is returned by [HashKey] and [FormKey] for a secret
// shorter than 32 bytes.
var ErrShortSecret = errors.New("ratelimit: key hashing secret must be at least 32 bytes")

// HashKey returns a KeyFunc keyed by HMAC-SHA256(secret, normalized value),
// so personal data such as an email address is never a store key (a Redis
// dump reveals nothing without the secret). The value is normalized by
// trimming white space and lowercasing, so "Alice@Example.com " and
// "alice@example.com" share one budget. Empty values skip the rule.
//
// The secret must be at least 32 random bytes and the same on every
// instance sharing a store (otherwise each instance has its own keys).
// The key is 22 characters of URL-safe base64 (128 bits of the MAC).
func HashKey(secret []byte, value func(r *http.Request) (string, bool)) (KeyFunc, error) {
	if len(secret) < minSecret {
		return nil, ErrShortSecret
	}
	h := newKeyHasher(secret)
	return func(r *http.Request) (string, bool) {
		v, ok := value(r)
		if !ok {
			return "", false
		}
		return h.key(v)
	}, nil
}

// keyHasher is the key derivation of [HashKey] and [FormKey]. It keeps
// keyed HMAC states in a pool, so a request does not rebuild the HMAC key
// schedule. The secret lives only in the pool's constructor.
type keyHasher struct{ pool sync.Pool }

func newKeyHasher(secret []byte) *keyHasher {
	secret = append([]byte(nil), secret...)
	h := new(keyHasher)
	h.pool.New = func() any { return hmac.New(sha256.New, secret) }
	return h
}

// key normalizes v (trimmed, lowercased) and returns its key, or false if
// nothing is left.
func (h *keyHasher) key(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return "", false
	}
	m := h.pool.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(hashLabel))
	m.Write([]byte(v))
	var sum [sha256.Size]byte
	key := base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:16])
	h.pool.Put(m)
	return key, true
}

// invalidFormKey is the key of requests whose form cannot be read: they
// share one budget instead of escaping the rule.
const invalidFormKey = "invalid-form"

// FormKeyConfig configures [FormKey].
type FormKeyConfig struct {
	// Field is the name of the form field, such as "email". Required.
	Field string

	// Secret keys the HMAC of the value; at least 32 random bytes, the
	// same on every instance. Required. See [HashKey]. A FormKeyConfig
	// prints it as "[REDACTED]" (String, Format, LogValue, MarshalJSON,
	// MarshalText), but not when the config sits in an unexported field of
	// another struct, which fmt prints by reflection: do not keep the
	// config around after [FormKey], which copies the secret.
	Secret []byte

	// MaxBodyBytes bounds how much of the request body is read to find
	// the field. Default 64 KiB. Bodies beyond it are not read further,
	// so a larger form reaches the handler empty or unparsable (and is
	// counted under "invalid-form"): raise it on routes that take
	// uploads, or key those routes another way.
	MaxBodyBytes int64
}

// String describes c with the secret replaced by "[REDACTED]".
func (c FormKeyConfig) String() string {
	return fmt.Sprintf("{Field:%q Secret:[REDACTED] MaxBodyBytes:%d}", c.Field, c.MaxBodyBytes)
}

// GoString is like String, so %#v does not print the secret either.
func (c FormKeyConfig) GoString() string { return "ratelimit.FormKeyConfig" + c.String() }

// Format writes String for every verb (GoString for %#v), so a config
// printed in a start-up log never shows the secret.
func (c FormKeyConfig) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, c.GoString())
		return
	}
	_, _ = io.WriteString(f, c.String())
}

// LogValue describes c for log/slog without the secret.
func (c FormKeyConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes String as a JSON string, without the secret.
func (c FormKeyConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// MarshalText returns String, so text-based encoders such as
// encoding/xml write the redacted form too.
func (c FormKeyConfig) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// FormKey returns a KeyFunc keyed by the hashed value of a posted form
// field (application/x-www-form-urlencoded or multipart/form-data), such
// as the email address of a password-reset request; see [HashKey] for the
// hashing and normalization.
//
// If the application has not parsed the form yet (r.PostForm is nil),
// FormKey parses it, reading at most MaxBodyBytes through
// [http.MaxBytesReader]; the handler then finds the parsed values in
// r.PostForm and r.FormValue as usual, but cannot read the raw body again.
// A body that is too large or malformed is not an escape: all such
// requests share one budget (the key "invalid-form"). Requests without the
// field skip the rule, and so do requests whose Content-Type is not a form
// (such as JSON): their body is left unread for the handler. Pair FormKey
// with an [IPKey] rule.
func FormKey(cfg FormKeyConfig) (KeyFunc, error) {
	if cfg.Field == "" {
		return nil, errors.New("ratelimit: FormKeyConfig.Field is empty")
	}
	if len(cfg.Secret) < minSecret {
		return nil, fmt.Errorf("ratelimit: FormKeyConfig.Secret: %w", ErrShortSecret)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, errors.New("ratelimit: FormKeyConfig.MaxBodyBytes is negative")
	}
	limit := cfg.MaxBodyBytes
	if limit == 0 {
		limit = 64 << 10
	}
	field := cfg.Field
	h := newKeyHasher(cfg.Secret)
	return func(r *http.Request) (string, bool) {
		if r.PostForm == nil {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if ct != "application/x-www-form-urlencoded" && ct != "multipart/form-data" {
				// Not a form: there is no field to find, and the body
				// (JSON, an upload) stays untouched for the handler.
				return "", false
			}
			if !parseForm(r, ct, limit) {
				return invalidFormKey, true
			}
		}
		return h.key(r.PostForm.Get(field))
	}, nil
}

// parseForm parses r's form, of media type ct, with the body bounded to
// limit bytes. It reports false when the body was too large or malformed.
func parseForm(r *http.Request, ct string, limit int64) bool {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, limit)
	}
	var err error
	if ct == "multipart/form-data" {
		// The whole body fits in limit bytes of memory: no temporary
		// files are created.
		err = r.ParseMultipartForm(limit)
	} else {
		err = r.ParseForm()
	}
	if r.PostForm == nil {
		r.PostForm = make(map[string][]string)
	}
	return err == nil
}
