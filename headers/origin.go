package headers

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// An origin is the canonical serialized form of a web origin
// (RFC 6454 section 6.2): scheme "://" host [":" port], lowercase, with no
// default port, path, query, fragment or user information. Browsers send
// exactly this form in the Origin header, so configured origins are
// required to be in it too: a configured "https://Example.com/" or
// "https://example.com:443" could never match and almost certainly hides a
// mistake.

// checkOrigin reports whether s is a canonical serialized origin, and
// splits it.
func checkOrigin(s string) (scheme, host, port string, err error) {
	if s == "null" {
		return "", "", "", fmt.Errorf("%w: %q is the opaque origin, which any sandboxed document or local file can send", ErrInvalidOrigin, s)
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !validScheme(scheme) {
		return "", "", "", fmt.Errorf("%w: %q must have the form scheme://host[:port]", ErrInvalidOrigin, s)
	}
	if scheme != strings.ToLower(scheme) {
		return "", "", "", fmt.Errorf("%w: %q: scheme must be lowercase", ErrInvalidOrigin, s)
	}
	host, port, err = splitHostPort(rest)
	if err != nil {
		return "", "", "", fmt.Errorf("%w: %q: %v", ErrInvalidOrigin, s, err)
	}
	if port != "" && port == defaultPort(scheme) {
		return "", "", "", fmt.Errorf("%w: %q: browsers omit the default port; write %s://%s", ErrInvalidOrigin, s, scheme, host)
	}
	return scheme, host, port, nil
}

// splitHostPort splits "host[:port]" where host is a lowercase DNS name,
// an IPv4 address or a bracketed IPv6 address.
func splitHostPort(s string) (host, port string, err error) {
	if s == "" {
		return "", "", fmt.Errorf("host is required")
	}
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated IPv6 address")
		}
		host, s = s[:end+1], s[end+1:]
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		if err != nil || !a.Is6() || a.Zone() != "" || "["+a.String()+"]" != host {
			return "", "", fmt.Errorf("IPv6 address must be valid and in canonical form")
		}
		if s != "" && s[0] != ':' {
			return "", "", fmt.Errorf("unexpected characters after IPv6 address")
		}
	} else {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			i = len(s)
		}
		host, s = s[:i], s[i:]
		if !validHostname(host) {
			return "", "", fmt.Errorf("host must be a lowercase ASCII DNS name (punycode for IDNs) or IP address, without path, query or trailing dot")
		}
	}
	if s == "" {
		return host, "", nil
	}
	port = s[1:]
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || strconv.Itoa(n) != port {
		return "", "", fmt.Errorf("port must be a number from 1 to 65535 without leading zeros, and nothing may follow it")
	}
	return host, port, nil
}

// validHostname accepts lowercase LDH labels separated by single dots
// (which includes dotted IPv4 addresses), at most 253 characters.
func validHostname(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if !validLabel(label) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func defaultPort(scheme string) string {
	switch scheme {
	case "https", "wss":
		return "443"
	case "http", "ws":
		return "80"
	}
	return ""
}

// originPattern matches every origin with a given scheme and port whose
// host is a strict subdomain of a given domain: "https://*.example.com"
// matches https://a.example.com and https://a.b.example.com, but not
// https://example.com, http://a.example.com or https://a.example.com:8443.
type originPattern struct {
	prefix string // "https://"
	suffix string // ".example.com"
	port   string // "" or ":8443"
}

// parseOriginPattern validates an opt-in subdomain pattern. Patterns must
// use https (a pattern over plain http would let any network attacker who
// can answer for one subdomain read credentialed responses) and must name a
// domain of at least two labels, so "https://*.com" is refused. It cannot
// know the public suffix list: "https://*.co.uk" is accepted and would be
// as dangerous as it looks.
func parseOriginPattern(s string) (originPattern, error) {
	rest, ok := strings.CutPrefix(s, "https://*.")
	if !ok {
		return originPattern{}, fmt.Errorf("%w: pattern %q must have the form https://*.domain[:port]", ErrInvalidOrigin, s)
	}
	if strings.Contains(rest, "*") {
		return originPattern{}, fmt.Errorf("%w: pattern %q may contain only one leading wildcard label", ErrInvalidOrigin, s)
	}
	host, port, err := splitHostPort(rest)
	if err != nil {
		return originPattern{}, fmt.Errorf("%w: pattern %q: %v", ErrInvalidOrigin, s, err)
	}
	if strings.HasPrefix(host, "[") || strings.Count(host, ".") < 1 {
		return originPattern{}, fmt.Errorf("%w: pattern %q must name a domain of at least two labels", ErrInvalidOrigin, s)
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return originPattern{}, fmt.Errorf("%w: pattern %q: an IP address has no subdomains", ErrInvalidOrigin, s)
	}
	if port == "443" {
		return originPattern{}, fmt.Errorf("%w: pattern %q: browsers omit the default port", ErrInvalidOrigin, s)
	}
	p := originPattern{prefix: "https://", suffix: "." + host}
	if port != "" {
		p.port = ":" + port
	}
	return p, nil
}

// match reports whether the serialized origin o matches p. o comes from a
// request header and may be anything.
func (p originPattern) match(o string) bool {
	rest, ok := strings.CutPrefix(o, p.prefix)
	if !ok {
		return false
	}
	if p.port != "" {
		if rest, ok = strings.CutSuffix(rest, p.port); !ok {
			return false
		}
	}
	sub, ok := strings.CutSuffix(rest, p.suffix)
	if !ok || sub == "" || len(rest) > 253 {
		return false
	}
	// sub must be one or more valid labels; this also refuses ':' (a port
	// when none is allowed), '@', '/', '*' and every other character.
	return validHostname(sub)
}

func (p originPattern) String() string { return p.prefix + "*" + p.suffix + p.port }
