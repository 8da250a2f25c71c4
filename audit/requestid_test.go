package audit

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var proxyNet = netip.MustParsePrefix("10.0.0.0/8")

func serveID(t *testing.T, h *HTTP, r *http.Request) (ctxID, respID string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		id, ok := RequestIDFromContext(r.Context())
		require.True(t, ok)
		ctxID = id
	})).ServeHTTP(rec, r)
	return ctxID, rec.Header().Get("X-Request-Id")
}

func TestRequestIDMiddleware(t *testing.T) {
	h, err := NewHTTP(HTTPConfig{TrustedProxies: []netip.Prefix{proxyNet}})
	require.NoError(t, err)

	tests := []struct {
		name     string
		peer     string
		header   []string
		accepted bool
	}{
		{"a well-formed ID from a trusted proxy is kept", "10.1.2.3:5555", []string{"0af7651916cd43dd8448eb211c80319c"}, true},
		{"a UUID from a trusted proxy is kept", "10.1.2.3:5555", []string{"3fa85f64-5717-4562-b3fc-2c963f66afa6"}, true},
		{"an IPv4-mapped trusted peer is trusted", "[::ffff:10.0.0.9]:1", []string{"abc"}, true},
		{"an ID from an untrusted client is replaced", "203.0.113.9:5555", []string{"chosen-by-attacker"}, false},
		{"a trusted-looking X-Forwarded-For does not help", "203.0.113.9:5555", []string{"abc"}, false},
		{"a missing header gets a fresh ID", "10.1.2.3:5555", nil, false},
		{"an empty header is replaced", "10.1.2.3:5555", []string{""}, false},
		{"two header lines are replaced", "10.1.2.3:5555", []string{"a", "b"}, false},
		{"an ID with a newline is replaced", "10.1.2.3:5555", []string{"abc\n{\"action\":\"x\"}"}, false},
		{"an ID with spaces is replaced", "10.1.2.3:5555", []string{"abc def"}, false},
		{"an ID with quotes is replaced", "10.1.2.3:5555", []string{`abc"`}, false},
		{"an ID with HTML is replaced", "10.1.2.3:5555", []string{"<script>"}, false},
		{"an ID with non-ASCII is replaced", "10.1.2.3:5555", []string{"abcé"}, false},
		{"an ID with a NUL is replaced", "10.1.2.3:5555", []string{"abc\x00"}, false},
		{"an over-long ID is replaced", "10.1.2.3:5555", []string{strings.Repeat("a", 65)}, false},
		{"an ID at the length limit is kept", "10.1.2.3:5555", []string{strings.Repeat("a", 64)}, true},
		{"a peer that is not an IP is untrusted", "@unix", []string{"abc"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			r.Header.Set("X-Forwarded-For", "10.9.9.9")
			for _, v := range tt.header {
				r.Header.Add("X-Request-ID", v)
			}
			ctxID, respID := serveID(t, h, r)
			require.Equal(t, ctxID, respID, "response header and context agree")
			if tt.accepted {
				require.Equal(t, tt.header[0], ctxID)
				return
			}
			require.True(t, ValidRequestID(ctxID, 64), "generated %q", ctxID)
			require.Len(t, ctxID, 26)
			for _, v := range tt.header {
				require.NotEqual(t, v, ctxID)
			}
		})
	}
}

func TestRequestIDFromUnixSocketProxy(t *testing.T) {
	onUnixListener := func(r *http.Request) *http.Request {
		la := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
		return r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, la))
	}
	request := func() *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "@"
		r.Header.Set("X-Request-ID", "abc")
		r.Header.Set("X-Forwarded-For", "198.51.100.7")
		return r
	}
	trusting, err := NewHTTP(HTTPConfig{TrustUnixSocket: true})
	require.NoError(t, err)
	plain, err := NewHTTP(HTTPConfig{})
	require.NoError(t, err)

	id, _ := serveID(t, trusting, onUnixListener(request()))
	require.Equal(t, "abc", id, "a trusted Unix-socket proxy may supply the ID")
	var e Event
	trusting.Fill(&e, onUnixListener(request()))
	require.Equal(t, "198.51.100.7", e.Actor.IP)

	id, _ = serveID(t, plain, onUnixListener(request()))
	require.NotEqual(t, "abc", id, "Unix sockets are not trusted by default")
	id, _ = serveID(t, trusting, request())
	require.NotEqual(t, "abc", id, "a non-IP peer that did not come through a Unix listener is untrusted")
	e = Event{}
	plain.Fill(&e, onUnixListener(request()))
	require.Empty(t, e.Actor.IP)
}

func TestRequestIDZeroConfigNeverTrusts(t *testing.T) {
	h, err := NewHTTP(HTTPConfig{})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Request-ID", "abc")
	id1, _ := serveID(t, h, r)
	id2, _ := serveID(t, h, r)
	require.NotEqual(t, "abc", id1)
	require.NotEqual(t, id1, id2, "IDs are fresh per request")
}

func TestRequestIDCustomHeader(t *testing.T) {
	h, err := NewHTTP(HTTPConfig{TrustedProxies: []netip.Prefix{proxyNet}, Header: "x-correlation-id", MaxIDLength: 8})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.1:1"
	r.Header.Set("X-Correlation-Id", "abcdefgh")
	rec := httptest.NewRecorder()
	h.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, r)
	require.Equal(t, "abcdefgh", rec.Header().Get("X-Correlation-Id"))
}

func TestNewHTTPRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   HTTPConfig
		field string
	}{
		{"a prefix with host bits", HTTPConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}}, "TrustedProxies"},
		{"a header with a space", HTTPConfig{Header: "X Request"}, "Header"},
		{"a header with a colon", HTTPConfig{Header: "X-ID:"}, "Header"},
		{"a negative length", HTTPConfig{MaxIDLength: -1}, "MaxIDLength"},
		{"a length over 200", HTTPConfig{MaxIDLength: 201}, "MaxIDLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewHTTP(tt.cfg)
			require.ErrorContains(t, err, tt.field)
		})
	}
}

func TestFillFromRequest(t *testing.T) {
	h, err := NewHTTP(HTTPConfig{
		TrustedProxies: []netip.Prefix{proxyNet},
		UserID:         func(*http.Request) (string, bool) { return "u_1", true },
		OrgID:          func(r *http.Request) (string, bool) { return r.PathValue("org"), r.PathValue("org") != "" },
	})
	require.NoError(t, err)

	var got Event
	mux := http.NewServeMux()
	mux.HandleFunc("/orgs/{org}/members", func(_ http.ResponseWriter, r *http.Request) {
		got = Event{Action: ActionMemberInvited}
		h.Fill(&got, r)
	})
	r := httptest.NewRequest("POST", "/orgs/org_7/members", nil)
	r.RemoteAddr = "10.0.0.2:443"
	r.Header.Set("X-Forwarded-For", "198.51.100.1, 203.0.113.5, 10.0.0.3")
	r.Header.Set("User-Agent", strings.Repeat("é", 300)) // 600 bytes
	r.Header.Set("X-Request-ID", "edge-42")
	h.Middleware(mux).ServeHTTP(httptest.NewRecorder(), r)

	require.Equal(t, "203.0.113.5", got.Actor.IP, "rightmost untrusted hop, never the leftmost")
	require.Equal(t, "u_1", got.Actor.UserID)
	require.Equal(t, "org_7", got.OrgID)
	require.Equal(t, "edge-42", got.RequestID)
	require.Equal(t, strings.Repeat("é", 256), got.Actor.UserAgent, "truncated to 512 bytes at a character boundary")

	// Fields already set are kept.
	pre := Event{Actor: Actor{IP: "set", UserID: "set", UserAgent: "set"}, OrgID: "set", RequestID: "set"}
	h.Fill(&pre, r)
	require.Equal(t, Event{Actor: Actor{IP: "set", UserID: "set", UserAgent: "set"}, OrgID: "set", RequestID: "set"}, pre)
}

func TestFillUsesSocketPeerWithoutTrustedProxies(t *testing.T) {
	h, err := NewHTTP(HTTPConfig{})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "198.51.100.7:9"
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	var e Event
	h.Fill(&e, r)
	require.Equal(t, "198.51.100.7", e.Actor.IP)
	require.Empty(t, e.RequestID, "no middleware, no ID")
}
