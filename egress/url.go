package egress

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxURLLength bounds the URLs ValidateURL accepts.
const maxURLLength = 2048

// ValidateURL parses a user-supplied URL, such as the "Jira URL" field of
// an integration form, and checks it against the policy without any
// network access. Call it when the URL is saved, to give the user a clear
// error; the transport checks every connection again at connect time, so a
// URL that passes here but later resolves to a denied address is still
// refused.
//
// It returns [ErrInvalidURL], [ErrScheme], [ErrCredentials], [ErrPort],
// [ErrAmbiguousHost] or a *[DeniedError] for an IP literal (or a name such
// as "localhost") in a denied range. The returned URL has a lower-case
// scheme and host.
func (p *Policy) ValidateURL(raw string) (*url.URL, error) {
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidURL, maxURLLength)
	}
	if strings.ContainsFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }) {
		return nil, fmt.Errorf("%w: contains spaces or control characters", ErrInvalidURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot be parsed", ErrInvalidURL)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if err := p.CheckURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// CheckURL checks an already parsed URL: scheme, user information, port,
// host syntax and IP literals. It does no DNS resolution. The transport
// calls it for every request, redirects included.
func (p *Policy) CheckURL(u *url.URL) error {
	if p == nil {
		return errNoPolicy
	}
	if u == nil {
		return fmt.Errorf("%w: nil URL", ErrInvalidURL)
	}
	scheme := strings.ToLower(u.Scheme)
	if !slices.Contains(p.schemes, scheme) {
		if scheme == "" {
			return fmt.Errorf("%w: missing scheme (want %s)", ErrScheme, strings.Join(p.schemes, " or "))
		}
		return fmt.Errorf("%w: %q (want %s)", ErrScheme, scheme, strings.Join(p.schemes, " or "))
	}
	if u.User != nil {
		return ErrCredentials
	}
	if u.Opaque != "" {
		return fmt.Errorf("%w: opaque URL", ErrInvalidURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: missing host", ErrInvalidURL)
	}
	port := uint16(80)
	if scheme == "https" {
		port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("%w: bad port", ErrInvalidURL)
		}
		port = uint16(n)
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("%w: empty port", ErrInvalidURL)
	}
	if err := p.checkPort(port); err != nil {
		return err
	}
	return p.checkHost(host)
}

// checkHost checks a URL host (without port or brackets).
func (p *Policy) checkHost(host string) error {
	if strings.Contains(host, "%") {
		return fmt.Errorf("%w: IPv6 zone or percent-encoding in host", ErrAmbiguousHost)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return p.checkAddr(a, false)
	}
	if strings.Contains(host, ":") {
		return fmt.Errorf("%w: malformed IPv6 literal", ErrAmbiguousHost)
	}
	name := normalizeHost(host)
	if looksNumeric(name) {
		return fmt.Errorf("%w: %q looks like a non-standard IPv4 address", ErrAmbiguousHost, host)
	}
	if !validHostname(name) {
		return fmt.Errorf("%w: %q is not a valid host name", ErrInvalidURL, host)
	}
	if p.hostAllowed(name) {
		return nil
	}
	// RFC 6761: "localhost" and its subdomains always mean loopback,
	// whatever DNS says.
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return &DeniedError{Addr: netip.AddrFrom4([4]byte{127, 0, 0, 1}), Class: ClassLoopback}
	}
	return nil
}

// looksNumeric reports whether a host name's last label is numeric or
// hexadecimal, as in 2130706433, 0177.0.0.1, 127.1 or 0x7f.0.0.1. Such
// names are IPv4 addresses to inet_aton (and so to many resolvers, proxies
// and libraries) but not to a strict parser; refusing them closes the gap.
// A real top-level domain is never all digits (RFC 3696 section 2).
func looksNumeric(name string) bool {
	last := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		last = name[i+1:]
	}
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		last = last[2:]
		if last == "" {
			return true
		}
		return strings.Trim(last, "0123456789abcdef") == ""
	}
	return strings.Trim(last, "0123456789") == ""
}

// validHostname checks LDH syntax (letters, digits, hyphens, dots, plus
// underscore, which some internal names use), label and total lengths.
func validHostname(name string) bool {
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	for label := range strings.SplitSeq(name, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
