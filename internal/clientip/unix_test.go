package clientip

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/testunix"
)

// onListener returns req as net/http's server would deliver it when
// accepted on a listener whose local address is la.
func onListener(req *http.Request, la net.Addr) *http.Request {
	return req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, la))
}

func TestUnixSocketPeer(t *testing.T) {
	unixLn := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
	tcpLn := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	prefixes := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	trusting, err := New(prefixes, true)
	require.NoError(t, err)
	plain, err := New(prefixes, false)
	require.NoError(t, err)

	tests := []struct {
		name   string
		r      *Resolver
		req    *http.Request
		want   string // "" means ok is false
		https  bool
		peerOK bool
	}{
		{"trusted socket: rightmost entry", trusting,
			onListener(request("@", "203.0.113.1, 198.51.100.9"), unixLn), "198.51.100.9", false, true},
		{"trusted socket: trusted hops are skipped", trusting,
			onListener(request("@", "198.51.100.9, 10.1.1.1"), unixLn), "198.51.100.9", false, true},
		{"trusted socket: empty RemoteAddr (other systems)", trusting,
			onListener(request("", "198.51.100.9"), unixLn), "198.51.100.9", false, true},
		{"trusted socket without X-Forwarded-For", trusting,
			onListener(request("@"), unixLn), "", false, true},
		{"trusted socket with only garbage", trusting,
			onListener(request("@", "not-an-ip"), unixLn), "", false, true},
		{"socket not trusted", plain,
			onListener(request("@", "198.51.100.9"), unixLn), "", false, false},
		{"non-IP peer on a TCP listener", trusting,
			onListener(request("@", "198.51.100.9"), tcpLn), "", false, false},
		{"non-IP peer without a listener address (hand-built request)", trusting,
			request("@", "198.51.100.9"), "", false, false},
		// On a Unix listener RemoteAddr is the name the client's socket
		// bound itself to: it may look like an IP address, even a trusted
		// proxy's, and must be ignored.
		{"an IP-like name on a trusted socket is ignored", trusting,
			onListener(request("10.9.9.9:1", "198.51.100.9"), unixLn), "198.51.100.9", false, true},
		{"an IP-like name on an untrusted socket is not a client address", plain,
			onListener(request("203.0.113.7:1", "198.51.100.9"), unixLn), "", false, false},
		{"a trusted proxy's address as a name on an untrusted socket earns no trust", plain,
			onListener(request("10.9.9.9:1", "198.51.100.9"), unixLn), "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.r.ClientIP(tt.req)
			if tt.want == "" {
				assert.False(t, ok, "ClientIP = %v", got)
			} else {
				require.True(t, ok)
				assert.Equal(t, netip.MustParseAddr(tt.want), got)
			}
			assert.Equal(t, tt.peerOK, tt.r.TrustsPeer(tt.req), "TrustsPeer")
			tt.req.Header.Set("X-Forwarded-Proto", "https")
			assert.Equal(t, tt.peerOK, tt.r.IsHTTPS(tt.req), "IsHTTPS with X-Forwarded-Proto: https")
		})
	}
}

// TestUnixSocketServer serves HTTP on a real Unix socket and checks that
// net/http marks its requests the way the resolver relies on.
func TestUnixSocketServer(t *testing.T) {
	trusting, err := New(nil, true)
	require.NoError(t, err)
	plain, err := New(nil, false)
	require.NoError(t, err)

	type seen struct {
		ip, plainIP netip.Addr
		ok, plainOK bool
		https       bool
	}
	got := make(chan seen, 1)
	client := testunix.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var s seen
		s.ip, s.ok = trusting.ClientIP(r)
		s.plainIP, s.plainOK = plain.ClientIP(r)
		s.https = trusting.IsHTTPS(r)
		got <- s
	}))
	req, err := http.NewRequest(http.MethodGet, "http://app/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", "203.0.113.1, 198.51.100.9")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	s := <-got
	require.True(t, s.ok, "a trusted Unix-socket peer's client was not resolved")
	assert.Equal(t, netip.MustParseAddr("198.51.100.9"), s.ip)
	assert.True(t, s.https)
	assert.False(t, s.plainOK, "a resolver not trusting Unix sockets resolved %v", s.plainIP)
}

// TestUnixSocketClientNamedLikeAnIP connects to a real Unix socket from a
// client socket bound to the name "10.9.9.9:1", which net/http reports as
// RemoteAddr: a local process posing as a trusted proxy. Only the flag may
// grant trust, never the name.
func TestUnixSocketClientNamedLikeAnIP(t *testing.T) {
	prefixes := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	trusting, err := New(prefixes, true)
	require.NoError(t, err)
	plain, err := New(prefixes, false)
	require.NoError(t, err)
	type seen struct {
		remote          string
		ip, plainIP     netip.Addr
		ok, plainOK     bool
		plainTrustsPeer bool
		plainHTTPS      bool
	}
	got := make(chan seen, 1)
	client := testunix.ServeNamed(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		var s seen
		s.remote = r.RemoteAddr
		s.ip, s.ok = trusting.ClientIP(r)
		s.plainIP, s.plainOK = plain.ClientIP(r)
		s.plainTrustsPeer = plain.TrustsPeer(r)
		s.plainHTTPS = plain.IsHTTPS(r)
		got <- s
	}), "10.9.9.9:1")
	req, err := http.NewRequest(http.MethodGet, "http://app/", nil)
	require.NoError(t, err)
	req.Header.Set("X-Forwarded-For", "198.51.100.9")
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	s := <-got
	require.Equal(t, "10.9.9.9:1", s.remote, "the test did not make the name look like a trusted proxy")
	assert.False(t, s.plainOK, "ClientIP took the socket's name for an address: %v", s.plainIP)
	assert.False(t, s.plainTrustsPeer, "the socket's name earned trust")
	assert.False(t, s.plainHTTPS, "X-Forwarded-Proto believed from an untrusted socket")
	require.True(t, s.ok)
	assert.Equal(t, netip.MustParseAddr("198.51.100.9"), s.ip, "a trusted socket resolves through X-Forwarded-For")
}
