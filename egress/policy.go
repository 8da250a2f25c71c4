package egress

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies
// it; tests and applications with their own DNS can supply another.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures a [Policy], and through it [NewClient] and
// [NewTransport]. The zero Config is the safe default: http and https only,
// ports 80 and 443 only, every non-public address refused, at most 5
// redirects, 10 MiB response bodies, a 30-second overall timeout, and no
// proxy.
type Config struct {
	// AllowedSchemes lists the URL schemes that may be fetched, in lower
	// case. Default: "http" and "https". Only http and https are supported
	// by the transport; listing "https" alone refuses plain HTTP.
	AllowedSchemes []string

	// AllowedPorts lists the destination ports that may be used. Default:
	// 80 and 443. Set UnsafeAnyPort to allow every port.
	AllowedPorts []uint16

	// UnsafeAnyPort allows every destination port. Default false. Ports are an
	// SSRF vector of their own (internal admin interfaces, Redis on 6379,
	// SMTP on 25 for protocol smuggling): prefer listing the ports needed.
	UnsafeAnyPort bool

	// AllowedHosts lists host names (case-insensitive, exact match, no
	// wildcards, no IP addresses) whose connections skip the default deny
	// list, for example
	// an on-premises Jira at jira.corp.example that resolves to 10.1.2.3.
	// DeniedPrefixes and the cloud metadata addresses still apply (only an
	// AllowedPrefixes entry can open those). Default: none.
	//
	// Danger: whoever controls DNS for these names controls where they
	// point. Prefer AllowedPrefixes when the addresses are known.
	AllowedHosts []string

	// AllowedPrefixes lists address ranges that are permitted even though
	// the default deny list covers them, for example 10.20.0.0/16 for an
	// internal network that integrations may reach. DeniedPrefixes still
	// apply. Prefixes must be masked. Default: none.
	AllowedPrefixes []netip.Prefix

	// DeniedPrefixes lists extra address ranges to refuse. They override
	// AllowedHosts and AllowedPrefixes. Prefixes must be masked.
	DeniedPrefixes []netip.Prefix

	// MaxRedirects is the longest redirect chain [NewClient]'s client
	// follows; every hop is checked again. Default 5; negative means no
	// redirects are followed (the 3xx response is returned).
	MaxRedirects int

	// MaxResponseBytes limits each response body; reading past it fails
	// with [ErrResponseTooLarge]. Default 10 MiB; negative means no limit.
	MaxResponseBytes int64

	// Timeout is [NewClient]'s overall limit per request, redirects and
	// body read included. Default 30 seconds; negative means none.
	Timeout time.Duration

	// DialTimeout limits each TCP connection attempt. Default 10 seconds.
	DialTimeout time.Duration

	// Resolver resolves host names. Default: net.DefaultResolver.
	Resolver Resolver

	// UnsafeProxy routes requests through an HTTP proxy. Default: none, and
	// the environment (HTTP_PROXY, HTTPS_PROXY) is ignored.
	//
	// Danger: with a proxy, the connect-time check applies to the proxy's
	// address (which must therefore be allowed through AllowedHosts or
	// AllowedPrefixes), and the target's host name is resolved by the
	// proxy, not here. The target URL's scheme, port and IP literals are
	// still checked, but the proxy must enforce its own egress policy
	// against private and metadata addresses.
	UnsafeProxy func(*http.Request) (*url.URL, error)
}

// Policy is a validated, precomputed [Config]: the decisions of egress
// without the HTTP plumbing. Use it to validate user-supplied URLs when
// they are saved ([Policy.ValidateURL]) and to check addresses
// ([Policy.CheckAddr]).
//
// A Policy is immutable and safe for concurrent use. The zero Policy is not
// usable (it refuses every scheme and port); create one with [NewPolicy]. A
// nil *Policy refuses everything with [ErrConfig].
type Policy struct {
	schemes      []string
	ports        []uint16
	anyPort      bool
	allowedHosts map[string]bool
	allowed      []netip.Prefix
	denied       []netip.Prefix
	maxRedirects int
	maxBody      int64
	timeout      time.Duration
	dialTimeout  time.Duration
	resolver     Resolver
	proxy        func(*http.Request) (*url.URL, error)
}

// NewPolicy validates cfg and returns its Policy.
func NewPolicy(cfg Config) (*Policy, error) {
	p := &Policy{
		anyPort:      cfg.UnsafeAnyPort,
		maxRedirects: cfg.MaxRedirects,
		maxBody:      cfg.MaxResponseBytes,
		timeout:      cfg.Timeout,
		dialTimeout:  cfg.DialTimeout,
		resolver:     cfg.Resolver,
		proxy:        cfg.UnsafeProxy,
	}
	p.schemes = []string{"http", "https"}
	if len(cfg.AllowedSchemes) > 0 {
		p.schemes = nil
		for _, s := range cfg.AllowedSchemes {
			if s != "http" && s != "https" {
				return nil, fmt.Errorf("%w: AllowedSchemes: %q is not supported (http and https only)", ErrConfig, s)
			}
			if !slices.Contains(p.schemes, s) {
				p.schemes = append(p.schemes, s)
			}
		}
	}
	p.ports = []uint16{80, 443}
	if len(cfg.AllowedPorts) > 0 {
		if cfg.UnsafeAnyPort {
			return nil, fmt.Errorf("%w: AllowedPorts and UnsafeAnyPort are both set", ErrConfig)
		}
		p.ports = slices.Clone(cfg.AllowedPorts)
		for _, port := range p.ports {
			if port == 0 {
				return nil, fmt.Errorf("%w: AllowedPorts: port 0", ErrConfig)
			}
		}
	}
	p.allowedHosts = make(map[string]bool, len(cfg.AllowedHosts))
	for _, h := range cfg.AllowedHosts {
		n := normalizeHost(h)
		if _, err := netip.ParseAddr(n); err == nil {
			return nil, fmt.Errorf("%w: AllowedHosts: %q is an IP address; list it in AllowedPrefixes", ErrConfig, h)
		}
		if !validHostname(n) || looksNumeric(n) {
			return nil, fmt.Errorf("%w: AllowedHosts: %q is not a host name (no wildcards, ports or IP addresses)", ErrConfig, h)
		}
		p.allowedHosts[n] = true
	}
	var err error
	if p.allowed, err = checkPrefixes("AllowedPrefixes", cfg.AllowedPrefixes); err != nil {
		return nil, err
	}
	if p.denied, err = checkPrefixes("DeniedPrefixes", cfg.DeniedPrefixes); err != nil {
		return nil, err
	}
	if p.maxRedirects == 0 {
		p.maxRedirects = 5
	}
	if p.maxBody == 0 {
		p.maxBody = 10 << 20
	}
	if p.timeout == 0 {
		p.timeout = 30 * time.Second
	}
	if p.dialTimeout == 0 {
		p.dialTimeout = 10 * time.Second
	}
	if p.dialTimeout < 0 {
		return nil, fmt.Errorf("%w: DialTimeout is negative", ErrConfig)
	}
	return p, nil
}

func checkPrefixes(field string, in []netip.Prefix) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(in))
	for _, p := range in {
		if !p.IsValid() || p.Masked() != p {
			return nil, fmt.Errorf("%w: %s: %v is not a valid masked prefix", ErrConfig, field, p)
		}
		if p.Addr().Is4In6() {
			// Addresses are unmapped before checking; store the IPv4 form so
			// the prefix still matches.
			if p.Bits() < 96 {
				return nil, fmt.Errorf("%w: %s: %v spans beyond the IPv4-mapped range", ErrConfig, field, p)
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p)
	}
	return out, nil
}

// normalizeHost lower-cases a host name and removes one trailing dot, so
// "LOCALHOST." and "localhost" are the same name.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.TrimSuffix(h, ".")
}

// CheckAddr reports whether the policy permits a connection to addr. It
// returns nil or a *[DeniedError] (matching [ErrDeniedAddress]). It does not
// allocate when the address is permitted.
//
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
func (p *Policy) CheckAddr(addr netip.Addr) error {
	if p == nil {
		return errNoPolicy
	}
	return p.checkAddr(addr, false)
}

// checkAddr is CheckAddr; hostAllowed is true when the connection is for a
// host in AllowedHosts, which skips the default deny list.
func (p *Policy) checkAddr(addr netip.Addr, hostAllowed bool) error {
	if !addr.IsValid() {
		return &DeniedError{Addr: addr, Class: ClassInvalid}
	}
	if addr.Zone() != "" {
		return &DeniedError{Addr: addr, Class: ClassLinkLocal}
	}
	a := addr.Unmap()
	for _, d := range p.denied {
		if d.Contains(a) {
			return &DeniedError{Addr: addr, Class: ClassConfigured}
		}
	}
	class := defaultClass(a)
	if class == ClassTranslated && embedsMetadata(a) {
		class = ClassMetadata
	}
	if class == "" || (hostAllowed && class != ClassMetadata) {
		// Allowed hosts skip the default deny list, except for the cloud
		// metadata endpoints: no integration legitimately lives there.
		return nil
	}
	for _, al := range p.allowed {
		if al.Contains(a) {
			return nil
		}
	}
	return &DeniedError{Addr: addr, Class: class}
}

// checkPort reports whether port is allowed.
func (p *Policy) checkPort(port uint16) error {
	if p.anyPort || slices.Contains(p.ports, port) {
		return nil
	}
	return fmt.Errorf("%w: %d", ErrPort, port)
}

func (p *Policy) hostAllowed(host string) bool {
	if len(p.allowedHosts) == 0 {
		return false
	}
	return p.allowedHosts[normalizeHost(host)]
}
