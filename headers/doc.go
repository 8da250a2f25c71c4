// Package headers sets the HTTP response headers that make browsers
// enforce a web application's security policy: a per-request-nonce Content
// Security Policy, HSTS, framing, referrer, permissions and cross-origin
// isolation policies, plus CORS and CSRF middleware.
//
// For most uses, call [New] with a zero [Config] and wrap the whole
// application with [Headers.Handler]; add [Nonce] to templates, wrap
// authenticated handlers with [NoStore], and wrap the mux with a [CSRF]
// from [NewCSRF]:
//
//	h, err := headers.New(headers.Config{})
//	csrf, err := headers.NewCSRF(headers.CSRFConfig{})
//	http.ListenAndServe(addr, h.Handler(csrf.Handler(mux)))
//
// # Defaults
//
// With the zero Config every response carries:
//
//	Content-Security-Policy: default-src 'self'; script-src 'nonce-…' 'strict-dynamic';
//	    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'
//	X-Frame-Options: DENY
//	X-Content-Type-Options: nosniff
//	Referrer-Policy: strict-origin-when-cross-origin
//	Permissions-Policy: accelerometer=(), autoplay=(), camera=(), … (see [DefaultPermissions])
//	Cross-Origin-Opener-Policy: same-origin
//	Cross-Origin-Resource-Policy: same-origin
//
// and, on requests that arrived over HTTPS (directly, or through a proxy
// listed in [Config.TrustedProxies], or on a Unix socket trusted with
// [Config.TrustUnixSocket], that says so in X-Forwarded-Proto),
//
//	Strict-Transport-Security: max-age=63072000; includeSubDomains
//
// Deprecated headers (X-XSS-Protection, Feature-Policy, Public-Key-Pins,
// Expect-CT) are never sent: they are ignored by current browsers or, for
// X-XSS-Protection, created vulnerabilities of their own.
//
// # Content Security Policy
//
// A [Policy] maps [Directive] names to [Source] lists and is validated by
// [Policy.Validate] when [New] runs, so a policy that allows inline
// scripts without a nonce, scripts from "*", or header injection never
// reaches production. The [RequestNonce] source is replaced on every
// request by 16 fresh random bytes from crypto/rand; templates read the
// same value with [Nonce]:
//
//	<script nonce="{{.Nonce}}">…</script>
//
// [Config.CSPReportOnly] sends a second policy in report-only mode, and
// [Config.ReportingEndpoints] with a [ReportTo] directive tells browsers
// where to send violation reports. [Headers.WithCSP] gives one route a
// different policy (for example a page that must be framed by a partner)
// while keeping everything else.
//
// # CORS
//
// [NewCORS] allows listed origins, and explicitly configured subdomain
// patterns, to read responses. Arbitrary origins are never reflected, the
// "null" origin is never allowed, credentials are never combined with
// "*", preflight requests are answered and checked (method, headers,
// max-age), and Vary: Origin is always added.
//
// # CSRF and cookies
//
// [NewCSRF] wraps Go's [http.CrossOriginProtection]: browsers label every
// request with Sec-Fetch-Site, and non-safe cross-site requests are
// rejected without any token. Two rules make it complete.
//
// First, never change state in GET, HEAD or OPTIONS handlers: they are
// always allowed. With Go 1.22 patterns, register state-changing handlers
// as "POST /path".
//
// Second, set session cookies with SameSite=Lax (or Strict), Secure,
// HttpOnly and, when the cookie needs no Domain, the __Host- prefix:
//
//	http.SetCookie(w, &http.Cookie{
//		Name: "__Host-session", Value: token, Path: "/",
//		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
//	})
//
// SameSite=Lax keeps the cookie off cross-site subrequests and POSTs even
// in a browser that sends no Sec-Fetch-Site, while still logging users in
// when they follow a link to the site. It does not stop a same-site
// attacker (a sibling subdomain); the Sec-Fetch-Site check and the
// __Host- prefix (no Domain, so a sibling cannot set or overwrite it) do.
//
// # What this package does not do
//
// Headers instruct browsers; they do nothing for non-browser clients and
// cannot fix an injection flaw, only limit what it can do. The nonce keeps
// injected markup from running scripts, but a template that places user
// input inside a nonce'd script block, or a cached page that repeats a
// nonce, defeats it. HSTS protects only after the first HTTPS visit unless
// the domain is preloaded. CORS controls reads, not whether a request is
// sent: use CSRF (and safe methods) for that. CSRF protection does not
// cover state-changing GET handlers, nor requests from non-browser
// clients, which must authenticate by other means.
package headers
