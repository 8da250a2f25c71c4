// Package clientip decides which IP address a request came from and whether
// it arrived over HTTPS, trusting forwarding headers only from configured
// proxies.
//
// # Threat model
//
// Every header a client sends can be forged. X-Forwarded-For and
// X-Forwarded-Proto are only meaningful when they were written by a proxy
// the application operates. A [Resolver] therefore starts from the socket
// peer ([http.Request.RemoteAddr]). Only when that peer lies inside one of
// the trusted proxy prefixes does it read X-Forwarded-For, walking it from
// the right (the hop nearest to us) and skipping addresses that are
// themselves trusted proxies; the first untrusted address is the client.
// The leftmost value is never used blindly: a client can put anything
// there.
//
// Several X-Forwarded-For header lines are treated as one comma-separated
// list, in order (RFC 9110 section 5.3). A malformed entry met during the
// walk stops it: the resolver returns the last trusted hop it could verify
// rather than guessing past garbage.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are unmapped before any
// comparison, so a trusted prefix written as 10.0.0.0/8 also matches a
// peer reported as ::ffff:10.0.0.1. IPv6 zones are stripped.
//
// A reverse proxy on the same host may reach the application over a Unix
// socket instead: the peer then has no IP address. Such peers are trusted
// only when the Resolver was built to trust Unix sockets, and only for
// requests that net/http's server accepted on a Unix-socket listener (read
// from the request context, which clients cannot influence); anyone who
// can open the socket file can then choose their address, so its
// permissions must admit only the proxy. The RemoteAddr of such a request
// is never parsed: it is the name the connecting socket bound itself to,
// which its owner chooses and may spell like an IP address. Two limits
// follow from reading the listener from the request context. Middleware
// that replaces the context with one not derived from it
// (r.WithContext(context.Background())) hides the listener, and the
// socket's chosen name is then read as an address: keep the server's
// context. And a listener wrapper that reports a real client address in
// RemoteAddr while keeping the Unix LocalAddr (the PROXY-protocol
// libraries in common use rewrite both) is treated as a Unix socket.
//
// What it does not do: it cannot tell whether a trusted proxy itself was
// configured to overwrite or append to the headers. Configure the proxy to
// append (the default of nginx's $proxy_add_x_forwarded_for, HAProxy's
// option forwardfor, and the major cloud load balancers).
package clientip

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// maxHops bounds the X-Forwarded-For walk, so a header with thousands of
// entries costs no more than a few dozen parses.
const maxHops = 32

// Resolver resolves client IPs and the request scheme.
//
// The zero value trusts no proxy: ClientIP returns the socket peer and
// IsHTTPS reports only direct TLS. A Resolver is immutable after [New] and
// safe for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
	unix    bool // trust peers on Unix-socket listeners
}

// ErrBadPrefix is returned by [New] for a trusted proxy prefix that is
// invalid or not in canonical (masked) form.
var ErrBadPrefix = errors.New("clientip: invalid trusted proxy prefix")

// New returns a Resolver that trusts forwarding headers from peers inside
// trustedProxies. Prefixes must be valid and masked (10.0.0.0/8, not
// 10.1.2.3/8), so a typo does not silently trust more than intended.
// IPv4-mapped IPv6 prefixes are rejected; write them as IPv4. An empty list
// is valid and trusts nobody.
//
// With trustUnixSocket, a request that arrived on a Unix-domain socket
// listener (its [http.LocalAddrContextKey] address is a Unix address, set
// by net/http's server and not by anything the client sends) also comes
// from a trusted proxy: the usual set-up of a reverse proxy on the same
// host talking to the application over a socket file only it can open.
// Such a peer has no IP address, so without this every client behind it
// is unresolvable.
func New(trustedProxies []netip.Prefix, trustUnixSocket bool) (*Resolver, error) {
	r := &Resolver{trusted: make([]netip.Prefix, 0, len(trustedProxies)), unix: trustUnixSocket}
	for i, p := range trustedProxies {
		if !p.IsValid() {
			return nil, fmt.Errorf("%w: entry %d is not a valid prefix", ErrBadPrefix, i)
		}
		if p.Masked() != p {
			return nil, fmt.Errorf("%w: %s has host bits set (did you mean %s?)", ErrBadPrefix, p, p.Masked())
		}
		if p.Addr().Is4In6() {
			return nil, fmt.Errorf("%w: %s is IPv4-mapped IPv6; write it as IPv4", ErrBadPrefix, p)
		}
		if p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%w: %s has a zone", ErrBadPrefix, p)
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

// Trusts reports whether addr lies inside a trusted proxy prefix.
func (r *Resolver) Trusts(addr netip.Addr) bool {
	if r == nil {
		return false
	}
	addr = addr.Unmap().WithZone("")
	for _, p := range r.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// TrustsPeer reports whether req's socket peer is a trusted proxy: an IP
// address inside a trusted prefix or, when the Resolver trusts Unix
// sockets, any peer of a Unix-socket listener.
func (r *Resolver) TrustsPeer(req *http.Request) bool {
	if onUnixListener(req) {
		return r != nil && r.unix
	}
	peer, ok := parseHost(req.RemoteAddr)
	return ok && r.Trusts(peer)
}

// onUnixListener reports whether net/http's server accepted req on a
// Unix-domain socket listener. The peer of such a connection has no IP
// address, whatever its RemoteAddr says: that is the name the connecting
// socket bound itself to, which its owner chooses, and which can be
// spelled like "10.0.0.1:80".
func onUnixListener(req *http.Request) bool {
	la, _ := req.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if la == nil {
		return false
	}
	n := la.Network()
	return n == "unix" || n == "unixpacket"
}

// Peer returns the socket peer of req, parsed from RemoteAddr, unmapped and
// without zone. ok is false when the peer has no IP address: a request
// accepted on a Unix-socket listener (whatever its RemoteAddr says), or a
// RemoteAddr that is not an IP address, as in a hand-built request.
func Peer(req *http.Request) (addr netip.Addr, ok bool) {
	if onUnixListener(req) {
		return netip.Addr{}, false
	}
	return parseHost(req.RemoteAddr)
}

// ClientIP returns the address of the client that sent req.
//
// It is the socket peer unless the peer is a trusted proxy, in which case it
// is the rightmost X-Forwarded-For entry that is not itself a trusted proxy.
// If every entry is trusted, the leftmost one is returned; if an entry is
// malformed, the walk stops and the last verified hop is returned. ok is
// false when the peer has no IP address (see [Peer]), except for a
// trusted Unix-socket peer: then the walk starts at the rightmost
// X-Forwarded-For entry, and ok is false only when there is no valid one.
func (r *Resolver) ClientIP(req *http.Request) (addr netip.Addr, ok bool) {
	var peer netip.Addr
	if onUnixListener(req) {
		if r == nil || !r.unix {
			return netip.Addr{}, false
		}
	} else if peer, ok = parseHost(req.RemoteAddr); !ok || !r.Trusts(peer) {
		return peer, ok
	}
	// The peer is a trusted proxy (peer is invalid for a Unix socket, and
	// stays so, with ok false, unless an entry is found).
	values := req.Header.Values("X-Forwarded-For")
	client := peer
	hops := 0
	// Walk header lines from last to first, and entries within a line from
	// right to left.
	for i := len(values) - 1; i >= 0; i-- {
		line := values[i]
		for line != "" {
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				entry, line = line[j+1:], line[:j]
			} else {
				entry, line = line, ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			hops++
			if hops > maxHops {
				return client, client.IsValid()
			}
			a, ok := parseHost(entry)
			if !ok {
				return client, client.IsValid()
			}
			client = a
			if !r.Trusts(a) {
				return client, true
			}
		}
	}
	return client, client.IsValid()
}

// IsHTTPS reports whether the client's connection to the edge of the
// application was HTTPS: either req arrived over TLS directly, or the socket
// peer is a trusted proxy whose last X-Forwarded-Proto value is "https".
// Forwarding headers from untrusted peers are ignored.
func (r *Resolver) IsHTTPS(req *http.Request) bool {
	if req.TLS != nil {
		return true
	}
	if !r.TrustsPeer(req) {
		return false
	}
	values := req.Header.Values("X-Forwarded-Proto")
	if len(values) == 0 {
		return false
	}
	// The nearest proxy appends last; use the rightmost value.
	last := values[len(values)-1]
	if j := strings.LastIndexByte(last, ','); j >= 0 {
		last = last[j+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}

// parseHost parses "ip", "ip:port", "[ipv6]" or "[ipv6]:port", returning
// the unmapped address without zone. It picks the parser from the shape of
// s, so the common forms parse without allocating an error.
func parseHost(s string) (netip.Addr, bool) {
	if len(s) == 0 || len(s) > 64 {
		return netip.Addr{}, false
	}
	var a netip.Addr
	var err error
	switch {
	case s[0] == '[':
		if strings.HasSuffix(s, "]") {
			a, err = netip.ParseAddr(s[1 : len(s)-1])
		} else {
			var ap netip.AddrPort
			ap, err = netip.ParseAddrPort(s)
			a = ap.Addr()
		}
	case strings.Count(s, ":") == 1:
		// IPv4 with a port; a bare IPv6 address has at least two colons.
		var ap netip.AddrPort
		ap, err = netip.ParseAddrPort(s)
		a = ap.Addr()
	default:
		a, err = netip.ParseAddr(s)
	}
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}
