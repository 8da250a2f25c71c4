package headers

import (
	"net/netip"
	"time"
)

// Config configures [New]. The zero Config is the safe default: the strict
// [DefaultPolicy] with a per-request nonce, HSTS for two years with
// includeSubDomains on HTTPS responses, X-Frame-Options DENY,
// nosniff, Referrer-Policy strict-origin-when-cross-origin, a restrictive
// Permissions-Policy, and same-origin COOP and CORP. Every field below
// only changes one of these, and fields that weaken protection are named
// Insecure….
type Config struct {
	// CSP is the enforced Content-Security-Policy. Default (nil):
	// [DefaultPolicy]. It must pass [Policy.Validate].
	//
	// Its frame-ancestors directive also decides X-Frame-Options, the
	// header older browsers use instead: absent or 'none' sends DENY,
	// exactly 'self' sends SAMEORIGIN, and anything else sends no
	// X-Frame-Options (it cannot express a list of hosts; CSP-capable
	// browsers follow frame-ancestors).
	CSP Policy

	// CSPReportOnly, when set, is sent as Content-Security-Policy-Report-Only
	// next to the enforced policy: browsers report what it would block
	// without blocking it. Use it to try a stricter policy. If both use
	// [RequestNonce], they share the request's nonce. Default: nil (not sent).
	CSPReportOnly Policy

	// InsecureNoEnforcedCSP omits the enforced Content-Security-Policy, for
	// example while a new policy runs in CSPReportOnly only. Without an
	// enforced policy, injected scripts run. Default: false.
	InsecureNoEnforcedCSP bool

	// ReportingEndpoints maps endpoint names to URLs for the
	// Reporting-Endpoints header (Reporting API). A policy's report-to
	// directive must name one of them. URLs must be https or an absolute
	// path on this site. Default: none (header not sent).
	ReportingEndpoints map[string]string

	// HSTS configures Strict-Transport-Security, which is only sent on
	// requests that arrived over HTTPS (see TrustedProxies).
	HSTS HSTS

	// TrustedProxies lists the reverse proxies whose X-Forwarded-Proto
	// header is believed when deciding whether a request came over HTTPS
	// (for HSTS and RedirectHTTP). Prefixes must be masked (10.0.0.0/8).
	// Default: none, so only a direct TLS connection counts as HTTPS.
	// Danger: listing a prefix that untrusted clients can connect from lets
	// them choose the answer.
	TrustedProxies []netip.Prefix

	// TrustUnixSocket believes X-Forwarded-Proto on requests accepted on a
	// Unix-domain socket listener, for a TLS-terminating proxy on the same
	// host that reaches the application through a socket file. Enable it
	// only when the socket file's permissions admit the proxy alone.
	// Default false.
	TrustUnixSocket bool

	// RedirectHTTP answers every plain-HTTP request with a redirect to the
	// same path on https (301 for GET and HEAD, 308 otherwise so the method
	// and body are kept), instead of calling the next handler.
	// Default: false. Behind a TLS-terminating proxy, list it in
	// TrustedProxies: otherwise every request looks like plain HTTP and is
	// redirected forever. ACME HTTP-01 challenges
	// (/.well-known/acme-challenge/) are redirected like any path: put an
	// ACME responder that answers on plain HTTP, such as
	// golang.org/x/crypto/acme/autocert's Manager.HTTPHandler, outside
	// this handler (m.HTTPHandler(h.Handler(app))) so it sees them first.
	RedirectHTTP bool

	// RedirectHost is the host[:port] the HTTPS redirect points to, such as
	// "example.com" or "example.com:8443". Default: the request's Host
	// without its port, which must then be a syntactically valid host name
	// or IP address (others get 400). Set it when the site has one
	// canonical name, so a forged Host header cannot steer the redirect.
	RedirectHost string

	// ReferrerPolicy is the Referrer-Policy. Default:
	// [StrictOriginWhenCrossOrigin]. Policies that leak full URLs to other
	// origins or over HTTP (unsafe-url, no-referrer-when-downgrade,
	// origin-when-cross-origin, origin) are refused.
	ReferrerPolicy ReferrerPolicy

	// Permissions is the Permissions-Policy: feature name to allowlist.
	// An empty allowlist disables the feature everywhere (feature=()),
	// "self" allows this origin, "*" everyone, and "https://host" that
	// origin. Default (nil): [DefaultPermissions]. An empty non-nil map
	// sends no Permissions-Policy.
	Permissions map[string][]string

	// OpenerPolicy is Cross-Origin-Opener-Policy. Default: [OpenerSameOrigin].
	OpenerPolicy OpenerPolicy

	// ResourcePolicy is Cross-Origin-Resource-Policy. Default:
	// [ResourceSameOrigin]. Use [ResourceCrossOrigin] only for public
	// resources meant to be embedded by other sites.
	ResourcePolicy ResourcePolicy

	// EmbedderPolicy is Cross-Origin-Embedder-Policy. Default: "" (not
	// sent), because require-corp breaks pages that embed cross-origin
	// resources not served with CORP or CORS.
	EmbedderPolicy EmbedderPolicy

	// NoStore adds Cache-Control: no-store to every response, for
	// applications where every page is private. Default: false; wrap only
	// authenticated handlers with [NoStore] instead.
	NoStore bool
}

// HSTS configures Strict-Transport-Security (RFC 6797).
type HSTS struct {
	// MaxAge is how long browsers remember to use only HTTPS. Default (0):
	// two years. Values under one year are refused: a short max-age leaves
	// users exposed on their next visit after it expires. Sub-second parts
	// are dropped.
	MaxAge time.Duration

	// Preload adds the preload token, asking to be built into browsers'
	// HSTS lists (https://hstspreload.org). It requires includeSubDomains
	// and a max-age of at least one year, and submitting the domain also
	// requires HTTP to redirect to HTTPS. Removal from the lists takes
	// months. Default: false.
	Preload bool

	// InsecureOmitSubDomains drops includeSubDomains, leaving subdomains
	// (and cookies scoped to the parent domain) open to SSL stripping.
	// Default: false.
	InsecureOmitSubDomains bool

	// InsecureDisable sends no Strict-Transport-Security at all.
	// Default: false.
	InsecureDisable bool
}

// ReferrerPolicy is a Referrer-Policy value. Only policies that never send
// a path to another origin are accepted.
type ReferrerPolicy string

// Accepted Referrer-Policy values.
const (
	NoReferrer                  ReferrerPolicy = "no-referrer"
	SameOrigin                  ReferrerPolicy = "same-origin"
	StrictOrigin                ReferrerPolicy = "strict-origin"
	StrictOriginWhenCrossOrigin ReferrerPolicy = "strict-origin-when-cross-origin"
)

// OpenerPolicy is a Cross-Origin-Opener-Policy value.
type OpenerPolicy string

// Cross-Origin-Opener-Policy values.
const (
	OpenerSameOrigin            OpenerPolicy = "same-origin"
	OpenerSameOriginAllowPopups OpenerPolicy = "same-origin-allow-popups"
	OpenerNoopenerAllowPopups   OpenerPolicy = "noopener-allow-popups"
	// OpenerUnsafeNone lets cross-origin windows keep a reference to this
	// one (XS-Leaks, tabnabbing).
	OpenerUnsafeNone OpenerPolicy = "unsafe-none"
)

// ResourcePolicy is a Cross-Origin-Resource-Policy value.
type ResourcePolicy string

// Cross-Origin-Resource-Policy values.
const (
	ResourceSameOrigin  ResourcePolicy = "same-origin"
	ResourceSameSite    ResourcePolicy = "same-site"
	ResourceCrossOrigin ResourcePolicy = "cross-origin"
)

// EmbedderPolicy is a Cross-Origin-Embedder-Policy value.
type EmbedderPolicy string

// Cross-Origin-Embedder-Policy values.
const (
	EmbedderRequireCORP    EmbedderPolicy = "require-corp"
	EmbedderCredentialless EmbedderPolicy = "credentialless"
)

const (
	defaultHSTSMaxAge = 2 * 365 * 24 * time.Hour
	minHSTSMaxAge     = 365 * 24 * time.Hour
)

// DefaultPermissions returns a new copy of the default Permissions-Policy:
// powerful features a typical web application does not use are disabled
// for the page and every frame in it. Add the features you need:
//
//	p := headers.DefaultPermissions()
//	p["camera"] = []string{"self"}
func DefaultPermissions() map[string][]string {
	off := []string{
		"accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "display-capture",
		"encrypted-media", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
		"microphone", "midi", "payment", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
	}
	m := make(map[string][]string, len(off))
	for _, f := range off {
		m[f] = []string{}
	}
	return m
}
