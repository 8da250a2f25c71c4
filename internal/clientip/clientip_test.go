package clientip

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustResolver(t *testing.T, prefixes ...string) *Resolver {
	t.Helper()
	ps := make([]netip.Prefix, len(prefixes))
	for i, p := range prefixes {
		ps[i] = netip.MustParsePrefix(p)
	}
	r, err := New(ps, false)
	require.NoError(t, err)
	return r
}

func request(remote string, xff ...string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.RemoteAddr = remote
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	return req
}

func TestClientIP(t *testing.T) {
	trusted := []string{"10.0.0.0/8", "2001:db8:ffff::/48"}
	tests := []struct {
		name    string
		trusted []string
		remote  string
		xff     []string
		want    string
		wantOK  bool
	}{
		// No trusted proxies: the socket peer, whatever the headers say.
		{"direct peer without headers", nil, "203.0.113.7:4242", nil, "203.0.113.7", true},
		{"direct peer ignores forged XFF", nil, "203.0.113.7:4242", []string{"1.2.3.4"}, "203.0.113.7", true},
		{"untrusted peer ignores XFF even when it names a trusted proxy", trusted, "203.0.113.7:4242", []string{"10.0.0.1"}, "203.0.113.7", true},

		// Trusted proxy in front.
		{"trusted proxy yields the rightmost untrusted hop", trusted, "10.0.0.2:80", []string{"198.51.100.9"}, "198.51.100.9", true},
		{"forged leftmost entry is never used", trusted, "10.0.0.2:80", []string{"1.1.1.1, 198.51.100.9"}, "198.51.100.9", true},
		{"chain of trusted proxies is skipped", trusted, "10.0.0.2:80", []string{"198.51.100.9, 10.1.1.1, 10.2.2.2"}, "198.51.100.9", true},
		{"multiple XFF lines read as one list in order", trusted, "10.0.0.2:80", []string{"1.1.1.1", "198.51.100.9, 10.3.3.3"}, "198.51.100.9", true},
		{"spoof in an earlier XFF line is ignored", trusted, "10.0.0.2:80", []string{"127.0.0.1", "198.51.100.9"}, "198.51.100.9", true},
		{"trusted proxy without XFF is the client", trusted, "10.0.0.2:80", nil, "10.0.0.2", true},
		{"all hops trusted yields the leftmost verified hop", trusted, "10.0.0.2:80", []string{"10.9.9.9, 10.8.8.8"}, "10.9.9.9", true},
		{"garbage stops the walk at the last verified hop", trusted, "10.0.0.2:80", []string{"198.51.100.9, not-an-ip"}, "10.0.0.2", true},
		{"garbage past an untrusted hop is irrelevant", trusted, "10.0.0.2:80", []string{"garbage, 198.51.100.9"}, "198.51.100.9", true},
		{"empty entries are skipped", trusted, "10.0.0.2:80", []string{"198.51.100.9, , "}, "198.51.100.9", true},
		{"XFF entry with a port", trusted, "10.0.0.2:80", []string{"198.51.100.9:5555"}, "198.51.100.9", true},

		// IPv6 forms.
		{"IPv6 peer", nil, "[2001:db8::1]:443", nil, "2001:db8::1", true},
		{"IPv6 trusted proxy and bracketed XFF entry", trusted, "[2001:db8:ffff::2]:443", []string{"[2001:db8:1::5]"}, "2001:db8:1::5", true},
		{"IPv6 XFF entry with brackets and port", trusted, "[2001:db8:ffff::2]:443", []string{"[2001:db8:1::5]:9000"}, "2001:db8:1::5", true},
		{"IPv4-mapped peer matches an IPv4 prefix", trusted, "[::ffff:10.0.0.2]:80", []string{"198.51.100.9"}, "198.51.100.9", true},
		{"IPv4-mapped XFF entry is unmapped", trusted, "10.0.0.2:80", []string{"::ffff:198.51.100.9"}, "198.51.100.9", true},
		{"IPv4-mapped trusted hop is skipped", trusted, "10.0.0.2:80", []string{"198.51.100.9, ::ffff:10.4.4.4"}, "198.51.100.9", true},
		{"zone is stripped from the peer", nil, "[fe80::1%eth0]:80", nil, "fe80::1", true},
		{"zone cannot make a trusted match differ", []string{"fe80::/10"}, "[fe80::1%eth0]:80", []string{"198.51.100.9"}, "198.51.100.9", true},

		// Unparseable peers.
		{"empty RemoteAddr", nil, "", nil, "", false},
		{"unix socket RemoteAddr", nil, "@", nil, "", false},
		{"hostname RemoteAddr", nil, "localhost:80", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustResolver(t, tt.trusted...)
			got, ok := r.ClientIP(request(tt.remote, tt.xff...))
			require.Equal(t, tt.wantOK, ok, "ClientIP ok")
			if !tt.wantOK {
				return
			}
			assert.Equal(t, netip.MustParseAddr(tt.want), got, "ClientIP(%q, XFF %q)", tt.remote, tt.xff)
		})
	}
}

func TestClientIPZeroValueTrustsNobody(t *testing.T) {
	var r Resolver
	got, ok := r.ClientIP(request("10.0.0.2:80", "198.51.100.9"))
	require.True(t, ok)
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), got)

	var nilResolver *Resolver
	assert.False(t, nilResolver.Trusts(netip.MustParseAddr("10.0.0.2")))
}

func TestClientIPBoundsTheWalk(t *testing.T) {
	r := mustResolver(t, "10.0.0.0/8")
	xff := "198.51.100.9"
	for range 1000 {
		xff += ", 10.0.0.9"
	}
	got, ok := r.ClientIP(request("10.0.0.2:80", xff))
	require.True(t, ok)
	// The walk stops after maxHops trusted entries without reaching the
	// client; it must return a trusted hop, never skip to an unverified one.
	assert.True(t, r.Trusts(got), "ClientIP = %v, want a trusted hop when the walk is cut short", got)
}

func TestIsHTTPS(t *testing.T) {
	tests := []struct {
		name    string
		trusted []string
		remote  string
		tls     bool
		proto   []string
		want    bool
	}{
		{"plain HTTP", nil, "203.0.113.7:1", false, nil, false},
		{"direct TLS", nil, "203.0.113.7:1", true, nil, true},
		{"forged proto from an untrusted peer", []string{"10.0.0.0/8"}, "203.0.113.7:1", false, []string{"https"}, false},
		{"trusted proxy says https", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, []string{"https"}, true},
		{"trusted proxy says HTTPS in capitals", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, []string{"HTTPS"}, true},
		{"trusted proxy says http", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, []string{"http"}, false},
		{"trusted proxy without header", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, nil, false},
		{"client-forged https before the proxy's http is ignored", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, []string{"https, http"}, false},
		{"rightmost header line wins", []string{"10.0.0.0/8"}, "10.0.0.2:1", false, []string{"https", "http"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustResolver(t, tt.trusted...)
			req := request(tt.remote)
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for _, p := range tt.proto {
				req.Header.Add("X-Forwarded-Proto", p)
			}
			assert.Equal(t, tt.want, r.IsHTTPS(req))
		})
	}
}

func TestNewRejectsBadPrefixes(t *testing.T) {
	tests := []struct {
		name   string
		prefix netip.Prefix
	}{
		{"invalid zero prefix", netip.Prefix{}},
		{"host bits set", netip.MustParsePrefix("10.1.2.3/8")},
		{"IPv4-mapped IPv6", netip.MustParsePrefix("::ffff:10.0.0.0/104")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New([]netip.Prefix{tt.prefix}, false)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrBadPrefix), "error %v is not ErrBadPrefix", err)
		})
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.2:80", "198.51.100.9, 10.1.1.1", "https")
	f.Add("[::ffff:10.0.0.2]:80", "[2001:db8::1]:9, garbage", "http")
	f.Add("203.0.113.7:1", "1.1.1.1", "https,https")
	f.Add("", ",,,,", "")
	f.Add("[fe80::1%eth0]:1", "[::1%lo]", "HTTPS")
	prefixes := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fe80::/10")}
	r, err := New(prefixes, false)
	require.NoError(f, err)
	unixTrusting, err := New(prefixes, true)
	require.NoError(f, err)
	unixLn := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
	f.Fuzz(func(t *testing.T, remote, xff, proto string) {
		// On a Unix-socket listener, a resolver trusting it answers a
		// valid address or nothing, and RemoteAddr (the name the client's
		// socket chose) changes nothing, for either resolver.
		ureq := (&http.Request{RemoteAddr: remote, Header: http.Header{}}).WithContext(
			context.WithValue(context.Background(), http.LocalAddrContextKey, unixLn))
		ureq.Header.Add("X-Forwarded-For", xff)
		uip, uok := unixTrusting.ClientIP(ureq)
		if uok && (!uip.IsValid() || uip.Zone() != "" || uip.Is4In6()) {
			t.Fatalf("ClientIP on a Unix socket = %v: want a valid, unmapped, zone-less address", uip)
		}
		named := ureq.Clone(ureq.Context())
		named.RemoteAddr = "@"
		if ip, ok := unixTrusting.ClientIP(named); ip != uip || ok != uok {
			t.Fatalf("RemoteAddr %q on a Unix listener changed ClientIP: %v %v, want %v %v", remote, uip, uok, ip, ok)
		}
		if ip, ok := r.ClientIP(ureq); ok || r.TrustsPeer(ureq) || r.IsHTTPS(ureq) {
			t.Fatalf("RemoteAddr %q on an untrusted Unix listener: ClientIP %v, or trusted", remote, ip)
		}

		req := &http.Request{RemoteAddr: remote, Header: http.Header{}}
		req.Header.Add("X-Forwarded-For", xff)
		req.Header.Add("X-Forwarded-Proto", proto)
		got, ok := r.ClientIP(req)
		peer, peerOK := Peer(req)
		if ok != peerOK {
			t.Fatalf("ClientIP ok = %v, Peer ok = %v", ok, peerOK)
		}
		if !ok {
			return
		}
		if !got.IsValid() || got.Zone() != "" || got.Is4In6() {
			t.Fatalf("ClientIP = %v: want a valid, unmapped, zone-less address", got)
		}
		// An untrusted peer is always the answer; headers cannot change it.
		if !r.Trusts(peer) && got != peer {
			t.Fatalf("untrusted peer %v but ClientIP = %v", peer, got)
		}
		if r.IsHTTPS(req) && !r.Trusts(peer) {
			t.Fatalf("IsHTTPS true for an untrusted plain-HTTP peer %v", peer)
		}
	})
}

func BenchmarkClientIP(b *testing.B) {
	r, err := New([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, false)
	require.NoError(b, err)
	req := request("10.0.0.2:80", "198.51.100.9, 10.1.1.1")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := r.ClientIP(req); !ok {
			b.Fatal("not ok")
		}
	}
}
