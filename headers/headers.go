package headers

import (
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"slices"
	"strings"

	"github.com/bulwark-go/bulwark/internal/clientip"
)

// Header names.
const (
	hdrCSP           = "Content-Security-Policy"
	hdrCSPReportOnly = "Content-Security-Policy-Report-Only"
	hdrHSTS          = "Strict-Transport-Security"
	hdrXFO           = "X-Frame-Options"
)

// Headers is the security-headers middleware built by [New]. It is
// immutable and safe for concurrent use. Most callers want
// [Headers.Handler]. The zero value is not usable: its Handler method
// panics rather than serve responses without headers.
//
// Header values are computed once. Each response gets its own copies of
// the value slices, in one allocation, so a handler may edit the values it
// finds in the header map, even in place, without reaching any other
// response.
type Headers struct {
	static   []field // headers sent on every response
	hsts     string  // "" when disabled
	xfo      string  // X-Frame-Options, "" when frame-ancestors lists hosts
	enforced *compiledPolicy
	ro       *compiledPolicy
	nonce    bool // enforced or ro contains the Nonce placeholder

	resolver     *clientip.Resolver
	proxies      bool // some proxy is trusted
	redirect     bool
	redirectHost string

	nonces *noncePool
	cfg    Config // for WithCSP
}

type field struct {
	key string // canonical form
	val string
}

// maxValues is how many header values a Headers sets on one response at
// most beyond its static ones: HSTS, X-Frame-Options and two static CSP
// headers.
const maxValues = 4

// New validates cfg and precomputes every header value. The error wraps
// [ErrInvalidConfig] or [ErrInvalidPolicy] and names the field at fault.
func New(cfg Config) (*Headers, error) {
	// Keep a private copy, so later changes to the caller's maps and
	// slices cannot reach WithCSP.
	cfg.CSP, cfg.CSPReportOnly = cfg.CSP.Clone(), cfg.CSPReportOnly.Clone()
	cfg.ReportingEndpoints = maps.Clone(cfg.ReportingEndpoints)
	cfg.TrustedProxies = slices.Clone(cfg.TrustedProxies)
	if cfg.Permissions != nil {
		perms := make(map[string][]string, len(cfg.Permissions))
		for f, list := range cfg.Permissions {
			perms[f] = slices.Clone(list)
		}
		cfg.Permissions = perms
	}
	h := &Headers{nonces: new(noncePool), cfg: cfg}
	if err := h.init(); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Headers) init() error {
	cfg := &h.cfg
	res, err := clientip.New(cfg.TrustedProxies, cfg.TrustUnixSocket)
	if err != nil {
		return fmt.Errorf("%w: TrustedProxies: %v", ErrInvalidConfig, err)
	}
	h.resolver, h.proxies = res, len(cfg.TrustedProxies) > 0 || cfg.TrustUnixSocket
	h.static = h.static[:0]

	// Reporting endpoints first: policies refer to them.
	if len(cfg.ReportingEndpoints) > 0 {
		v, err := reportingEndpoints(cfg.ReportingEndpoints)
		if err != nil {
			return err
		}
		h.add("Reporting-Endpoints", v)
	}

	// Content-Security-Policy and X-Frame-Options.
	xfo := "DENY"
	switch {
	case cfg.InsecureNoEnforcedCSP && cfg.CSP != nil:
		return fmt.Errorf("%w: CSP is set but InsecureNoEnforcedCSP disables it", ErrInvalidConfig)
	case !cfg.InsecureNoEnforcedCSP:
		p := cfg.CSP
		if p == nil {
			p = DefaultPolicy()
		}
		c, err := h.compile("CSP", p)
		if err != nil {
			return err
		}
		h.enforced = c
		xfo = frameOptions(p[FrameAncestors])
	}
	if cfg.CSPReportOnly != nil {
		c, err := h.compile("CSPReportOnly", cfg.CSPReportOnly)
		if err != nil {
			return err
		}
		h.ro = c
	}
	h.xfo = xfo
	h.add("X-Content-Type-Options", "nosniff")

	// Strict-Transport-Security.
	if v, err := hstsValue(cfg.HSTS); err != nil {
		return err
	} else {
		h.hsts = v
	}
	if cfg.RedirectHost != "" {
		if !cfg.RedirectHTTP {
			return fmt.Errorf("%w: RedirectHost is set but RedirectHTTP is false", ErrInvalidConfig)
		}
		if _, _, err := splitHostPort(cfg.RedirectHost); err != nil {
			return fmt.Errorf("%w: RedirectHost %q: %v", ErrInvalidConfig, cfg.RedirectHost, err)
		}
	}
	h.redirect, h.redirectHost = cfg.RedirectHTTP, cfg.RedirectHost

	// Referrer, permissions and cross-origin isolation policies.
	switch rp := cfg.ReferrerPolicy; rp {
	case "":
		h.add("Referrer-Policy", string(StrictOriginWhenCrossOrigin))
	case NoReferrer, SameOrigin, StrictOrigin, StrictOriginWhenCrossOrigin:
		h.add("Referrer-Policy", string(rp))
	default:
		return fmt.Errorf("%w: ReferrerPolicy %q is not one of no-referrer, same-origin, strict-origin, strict-origin-when-cross-origin", ErrInvalidConfig, rp)
	}
	perms := cfg.Permissions
	if perms == nil {
		perms = DefaultPermissions()
	}
	if v, err := permissionsPolicy(perms); err != nil {
		return err
	} else if v != "" {
		h.add("Permissions-Policy", v)
	}
	switch op := cfg.OpenerPolicy; op {
	case "":
		h.add("Cross-Origin-Opener-Policy", string(OpenerSameOrigin))
	case OpenerSameOrigin, OpenerSameOriginAllowPopups, OpenerNoopenerAllowPopups, OpenerUnsafeNone:
		h.add("Cross-Origin-Opener-Policy", string(op))
	default:
		return fmt.Errorf("%w: OpenerPolicy %q is not a Cross-Origin-Opener-Policy value", ErrInvalidConfig, op)
	}
	switch rp := cfg.ResourcePolicy; rp {
	case "":
		h.add("Cross-Origin-Resource-Policy", string(ResourceSameOrigin))
	case ResourceSameOrigin, ResourceSameSite, ResourceCrossOrigin:
		h.add("Cross-Origin-Resource-Policy", string(rp))
	default:
		return fmt.Errorf("%w: ResourcePolicy %q is not a Cross-Origin-Resource-Policy value", ErrInvalidConfig, rp)
	}
	switch ep := cfg.EmbedderPolicy; ep {
	case "":
	case EmbedderRequireCORP, EmbedderCredentialless:
		h.add("Cross-Origin-Embedder-Policy", string(ep))
	default:
		return fmt.Errorf("%w: EmbedderPolicy %q is not a Cross-Origin-Embedder-Policy value", ErrInvalidConfig, ep)
	}
	if cfg.NoStore {
		h.add("Cache-Control", "no-store")
	}
	return nil
}

func (h *Headers) add(key, value string) {
	h.static = append(h.static, field{textproto.CanonicalMIMEHeaderKey(key), value})
}

// compile validates p, checks its report-to against the configured
// endpoints, and splits it around the nonce. A nonce-free policy becomes a
// static header.
func (h *Headers) compile(fieldName string, p Policy) (*compiledPolicy, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", fieldName, err)
	}
	if rt, ok := p[ReportTo]; ok {
		if _, ok := h.cfg.ReportingEndpoints[string(rt[0])]; !ok {
			return nil, fmt.Errorf("%s: %w: report-to %q names no entry of Config.ReportingEndpoints", fieldName, ErrInvalidPolicy, rt[0])
		}
	}
	c := compilePolicy(p)
	if len(c.parts) > 1 {
		h.nonce = true
	}
	return &c, nil
}

// frameOptions derives X-Frame-Options from frame-ancestors.
func frameOptions(fa []Source) string {
	switch s := dedupe(fa); {
	case len(s) == 0, len(s) == 1 && s[0] == None:
		return "DENY"
	case len(s) == 1 && s[0] == Self:
		return "SAMEORIGIN"
	}
	return ""
}

// WithCSP returns a copy of h that sends policy as its enforced
// Content-Security-Policy, for one route that needs a stricter or looser
// policy. Everything else is unchanged. Use it inside the site-wide
// middleware: it replaces the outer policy's header and keeps the
// request's nonce, so [Nonce] returns the same value either way.
func (h *Headers) WithCSP(policy Policy) (*Headers, error) {
	cfg := h.cfg
	cfg.CSP, cfg.InsecureNoEnforcedCSP = policy, false
	return New(cfg)
}

// Handler returns middleware that adds the security headers to every
// response and, if configured, redirects plain HTTP to HTTPS. It panics if
// h was not created by [New]: a zero Headers would otherwise send no
// security headers at all.
func (h *Headers) Handler(next http.Handler) http.Handler {
	if h == nil || h.static == nil {
		panic("headers: Headers.Handler called on a Headers not created by headers.New")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, next)
	})
}

func (h *Headers) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	https := r.TLS != nil || h.proxies && h.resolver.IsHTTPS(r)
	hdr := w.Header()
	// This response's own value slices, in one allocation: a handler that
	// edits a value in place must not change it for later responses.
	vs := values{all: make([]string, len(h.static)+maxValues)}
	for i := range h.static {
		vs.set(hdr, h.static[i].key, h.static[i].val)
	}
	if https && h.hsts != "" {
		vs.set(hdr, hdrHSTS, h.hsts)
	}
	if h.xfo != "" {
		vs.set(hdr, hdrXFO, h.xfo)
	} else {
		// An outer Headers may have sent DENY; this one's frame-ancestors
		// (see WithCSP) decides.
		delete(hdr, hdrXFO)
	}
	r = h.setCSP(hdr, r, &vs)
	if h.redirect && !https {
		// The redirect's small HTML body gets the policy too.
		h.redirectToHTTPS(w, r)
		return
	}
	next.ServeHTTP(w, r)
}

// setCSP sets the policy headers and, when a policy uses the nonce,
// returns r with the nonce in its context.
func (h *Headers) setCSP(hdr http.Header, r *http.Request, vs *values) *http.Request {
	if !h.nonce {
		vs.setPolicy(hdr, hdrCSP, h.enforced)
		vs.setPolicy(hdr, hdrCSPReportOnly, h.ro)
		return r
	}
	st := stateFrom(r.Context())
	if st == nil {
		ctx := &nonceContext{Context: r.Context()}
		st = &ctx.st
		var buf [nonceLen]byte
		h.nonces.next(&buf)
		h.render(st, string(buf[:]))
		r = r.WithContext(ctx)
	} else {
		// An outer Headers already chose this request's nonce.
		h.render(st, st.nonce)
	}
	if h.enforced != nil {
		hdr[hdrCSP] = st.csp[:]
	} else {
		delete(hdr, hdrCSP)
	}
	if h.ro != nil {
		hdr[hdrCSPReportOnly] = st.ro[:]
	} else {
		delete(hdr, hdrCSPReportOnly)
	}
	return r
}

// render fills st's header values with nonce, and points st.nonce at the
// copy inside the first nonce-bearing value, so the nonce costs no
// allocation of its own (nonce itself does not escape). At least one
// policy contains the nonce whenever render is called.
func (h *Headers) render(st *requestState, nonce string) {
	st.nonce = ""
	if c := h.enforced; c != nil {
		st.csp[0] = c.render(nonce)
		if len(c.parts) > 1 {
			st.nonce = st.csp[0][len(c.parts[0]):][:nonceLen]
		}
	}
	if c := h.ro; c != nil {
		st.ro[0] = c.render(nonce)
		if len(c.parts) > 1 && st.nonce == "" {
			st.nonce = st.ro[0][len(c.parts[0]):][:nonceLen]
		}
	}
}

// values hands out one response's header value slices from one array.
// Each slice holds one value and has capacity one, so neither an edit in
// place nor an append (Header.Add) reaches another.
type values struct {
	all []string
	n   int
}

// set sets hdr[key] to a fresh one-value slice holding v.
func (vs *values) set(hdr http.Header, key, v string) {
	vs.all[vs.n] = v
	hdr[key] = vs.all[vs.n : vs.n+1 : vs.n+1]
	vs.n++
}

// setPolicy sets a nonce-free policy, or deletes key when there is none.
func (vs *values) setPolicy(hdr http.Header, key string, c *compiledPolicy) {
	if c == nil {
		delete(hdr, key)
		return
	}
	vs.set(hdr, key, c.parts[0])
}

// redirectToHTTPS sends the client to the same path over https. The
// target host is RedirectHost or the request's Host with its port removed;
// a Host that is not a plain host name or IP address is refused rather
// than echoed into a Location header.
func (h *Headers) redirectToHTTPS(w http.ResponseWriter, r *http.Request) {
	host := h.redirectHost
	if host == "" {
		host = strings.ToLower(r.Host)
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
			if strings.Contains(host, ":") {
				host = "[" + host + "]"
			}
		}
		if name, port, err := splitHostPort(host); err != nil || port != "" || name != host {
			http.Error(w, "Bad Request", http.StatusBadRequest)
			return
		}
	}
	path := r.URL.RequestURI()
	if !strings.HasPrefix(path, "/") {
		path = "/"
	}
	code := http.StatusPermanentRedirect
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		code = http.StatusMovedPermanently
	}
	http.Redirect(w, r, "https://"+host+path, code)
}
