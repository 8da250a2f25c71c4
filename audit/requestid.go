package audit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"unicode/utf8"

	"github.com/bulwark-go/bulwark/internal/clientip"
	"github.com/bulwark-go/bulwark/internal/httptoken"
)

// DefaultRequestIDHeader is the header [HTTP] reads and writes by default.
const DefaultRequestIDHeader = "X-Request-ID"

const (
	defaultMaxIDLength = 64
	maxMaxIDLength     = 200
	maxUserAgent       = 512
)

// HTTPConfig configures [HTTP]. The zero value is valid and safe: it never
// accepts an incoming request ID and trusts no proxy.
type HTTPConfig struct {
	// TrustedProxies are the prefixes of the reverse proxies in front of
	// the application. Only a request whose socket peer is inside one of
	// them may supply its request ID, and client IPs are resolved through
	// their X-Forwarded-For entries (internal/clientip). Default: none, so
	// every request gets a fresh ID and the client IP is the socket peer.
	// Danger: listing a prefix that untrusted clients can connect from lets
	// them choose their request ID and forge their IP. A trusted proxy must
	// also set or overwrite the request ID header itself: many pass the
	// client's header through unchanged, which lets clients pick IDs that
	// collide with other requests' in the logs.
	TrustedProxies []netip.Prefix

	// TrustUnixSocket treats the peer of a request accepted on a
	// Unix-domain socket listener as a trusted proxy (one on the same host
	// reaching the application through a socket file), with the same
	// consequences as listing it in TrustedProxies. Enable it only when
	// the socket file's permissions admit the proxy alone. Default false:
	// such requests get a fresh ID and no client IP.
	TrustUnixSocket bool

	// Header is the request and response header carrying the ID. Default
	// [DefaultRequestIDHeader].
	Header string

	// MaxIDLength bounds an accepted incoming ID, 1 to 200. Default 64.
	MaxIDLength int

	// UserID, when set, lets [HTTP.Fill] fill Actor.UserID (for example
	// from a session). Default: none.
	UserID func(*http.Request) (string, bool)

	// OrgID, when set, lets [HTTP.Fill] fill OrgID. Default: none.
	OrgID func(*http.Request) (string, bool)
}

// HTTP assigns request IDs and fills the request fields of events.
// Create it with [NewHTTP]; it is immutable and safe for concurrent use.
type HTTP struct {
	resolver *clientip.Resolver
	header   string
	maxLen   int
	userID   func(*http.Request) (string, bool)
	orgID    func(*http.Request) (string, bool)
}

// NewHTTP validates cfg and returns an HTTP helper.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	res, err := clientip.New(cfg.TrustedProxies, cfg.TrustUnixSocket)
	if err != nil {
		return nil, fmt.Errorf("audit: HTTPConfig.TrustedProxies: %w", err)
	}
	h := &HTTP{resolver: res, header: cfg.Header, maxLen: cfg.MaxIDLength, userID: cfg.UserID, orgID: cfg.OrgID}
	if h.header == "" {
		h.header = DefaultRequestIDHeader
	}
	if !httptoken.Valid(h.header) {
		return nil, errors.New("audit: HTTPConfig.Header is not a valid header name")
	}
	h.header = http.CanonicalHeaderKey(h.header)
	if h.maxLen == 0 {
		h.maxLen = defaultMaxIDLength
	}
	if h.maxLen < 1 || h.maxLen > maxMaxIDLength {
		return nil, fmt.Errorf("audit: HTTPConfig.MaxIDLength must be 1 to %d", maxMaxIDLength)
	}
	return h, nil
}

// Middleware gives every request an ID: the incoming header's value when
// the socket peer is a trusted proxy, the header appears exactly once and
// the value is well formed ([ValidRequestID]); otherwise a fresh random ID
// (128 bits from crypto/rand, 26 base32 characters). The ID is stored in
// the request context ([RequestIDFromContext]) and set on the response
// header. Handlers should read the context, not the request header, which
// still holds whatever the client sent.
func (h *HTTP) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := h.incomingID(r)
		if id == "" {
			id = rand.Text()
		}
		w.Header().Set(h.header, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// incomingID returns the acceptable incoming ID or "".
func (h *HTTP) incomingID(r *http.Request) string {
	vals := r.Header[h.header]
	if len(vals) != 1 || !ValidRequestID(vals[0], h.maxLen) {
		return ""
	}
	if !h.resolver.TrustsPeer(r) {
		return ""
	}
	return vals[0]
}

// Fill sets the request-derived fields of e that are still empty:
// Actor.IP (the client IP through trusted proxies), Actor.UserAgent
// (truncated to 512 bytes at a character boundary), RequestID (from the
// context set by Middleware), and Actor.UserID and OrgID through the
// configured hooks.
func (h *HTTP) Fill(e *Event, r *http.Request) {
	if e.Actor.IP == "" {
		if ip, ok := h.resolver.ClientIP(r); ok {
			e.Actor.IP = ip.String()
		}
	}
	if e.Actor.UserAgent == "" {
		e.Actor.UserAgent = truncate(r.UserAgent(), maxUserAgent)
	}
	if e.RequestID == "" {
		e.RequestID, _ = RequestIDFromContext(r.Context())
	}
	if e.Actor.UserID == "" && h.userID != nil {
		if id, ok := h.userID(r); ok {
			e.Actor.UserID = id
		}
	}
	if e.OrgID == "" && h.orgID != nil {
		if id, ok := h.orgID(r); ok {
			e.OrgID = id
		}
	}
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ValidRequestID reports whether id is an acceptable request ID: 1 to
// maxLen bytes, each an ASCII letter, digit, '-', '_', '.' or ':'. This
// admits UUIDs, ULIDs, W3C trace IDs and the IDs common proxies generate,
// and nothing that could break out of a log line or a header (no spaces,
// quotes, control characters or non-ASCII).
func ValidRequestID(id string, maxLen int) bool {
	if len(id) == 0 || len(id) > maxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

type requestIDKey struct{}

// WithRequestID returns a copy of ctx carrying id, for work that starts
// outside an HTTP request (jobs, queue consumers) but should be traceable.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request ID stored by [HTTP.Middleware]
// or [WithRequestID].
func RequestIDFromContext(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(requestIDKey{}).(string)
	return id, ok && id != ""
}
