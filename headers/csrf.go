package headers

import (
	"fmt"
	"net/http"
)

// CSRFConfig configures [NewCSRF]. The zero value rejects every non-safe
// cross-origin browser request.
type CSRFConfig struct {
	// TrustedOrigins lists origins (scheme://host[:port], as for
	// [CORSConfig.AllowedOrigins]) whose cross-origin requests are allowed,
	// for example a separate front-end that posts to this API with
	// credentials. Default: none.
	TrustedOrigins []string

	// InsecureBypassPatterns lists [http.ServeMux] patterns
	// ("POST /webhooks/{provider}") whose requests skip the check
	// entirely, for endpoints that authenticate by other means (a
	// signature, a bearer token) and never by cookie. Default: none.
	// Danger: a cookie-authenticated handler under a bypass pattern is open
	// to CSRF.
	InsecureBypassPatterns []string

	// DeniedHandler answers rejected requests. Default: 403 with the
	// plain-text body "Forbidden".
	DeniedHandler http.Handler
}

// CSRF protects against cross-site request forgery with Go's
// [http.CrossOriginProtection]: non-safe requests (anything but GET, HEAD
// and OPTIONS) that a browser marks as cross-site through Sec-Fetch-Site,
// or whose Origin does not match Host on browsers too old to send
// Sec-Fetch-Site, are rejected. Requests without either header are not
// from a browser (or are same-origin) and pass. It needs no token and no
// per-request state.
//
// It relies on safe methods being safe: a GET handler that changes state
// is not protected. See the package documentation for the SameSite cookie
// recipe that complements it. CSRF is immutable and safe for concurrent
// use. The zero value (and a nil *CSRF) rejects every request in
// [CSRF.Check], and its Handler method panics.
type CSRF struct {
	cop *http.CrossOriginProtection
}

// NewCSRF validates cfg and builds the protection. Errors wrap
// [ErrInvalidConfig] or [ErrInvalidOrigin].
func NewCSRF(cfg CSRFConfig) (*CSRF, error) {
	cop := http.NewCrossOriginProtection()
	for _, o := range cfg.TrustedOrigins {
		if _, _, _, err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("CSRF TrustedOrigins: %w", err)
		}
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("%w: CSRF TrustedOrigins: %v", ErrInvalidOrigin, err)
		}
	}
	for _, p := range cfg.InsecureBypassPatterns {
		if err := addBypass(cop, p); err != nil {
			return nil, err
		}
	}
	deny := cfg.DeniedHandler
	if deny == nil {
		deny = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Forbidden", http.StatusForbidden)
		})
	}
	cop.SetDenyHandler(deny)
	return &CSRF{cop: cop}, nil
}

// addBypass turns the panic AddInsecureBypassPattern raises for an
// invalid or conflicting pattern into an error: patterns come from
// configuration.
func addBypass(cop *http.CrossOriginProtection, p string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: CSRF InsecureBypassPatterns: %q: %v", ErrInvalidConfig, p, r)
		}
	}()
	cop.AddInsecureBypassPattern(p)
	return nil
}

// Check reports whether r should be rejected; the error wraps
// [ErrCrossOriginRequest]. It does not call the DeniedHandler.
func (c *CSRF) Check(r *http.Request) error {
	if c == nil || c.cop == nil {
		return fmt.Errorf("%w: CSRF not created by NewCSRF", ErrCrossOriginRequest)
	}
	if err := c.cop.Check(r); err != nil {
		return fmt.Errorf("%w: %v", ErrCrossOriginRequest, err)
	}
	return nil
}

// Handler returns middleware that calls next for allowed requests and
// the DeniedHandler for rejected ones. It panics if c was not created by
// [NewCSRF].
func (c *CSRF) Handler(next http.Handler) http.Handler {
	if c == nil || c.cop == nil {
		panic("headers: CSRF.Handler called on a CSRF not created by headers.NewCSRF")
	}
	return c.cop.Handler(next)
}
