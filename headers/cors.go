package headers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bulwark-go/bulwark/internal/httptoken"
)

// CORSConfig configures [NewCORS]. The zero value allows no cross-origin
// reads at all: the middleware only adds Vary: Origin and refuses
// preflight requests.
type CORSConfig struct {
	// AllowedOrigins lists the exact origins allowed to read responses,
	// in serialized form: "https://app.example.com",
	// "http://localhost:3000". Each must be scheme://host[:port], lowercase,
	// without default port or trailing slash. "null" is refused: sandboxed
	// iframes and local files send it, so allowing it allows anyone.
	AllowedOrigins []string

	// AllowedOriginPatterns lists opt-in subdomain patterns of the form
	// "https://*.example.com" (optionally with a port). A pattern matches
	// any strict subdomain, at any depth, with the same scheme and port.
	// Only https patterns of at least two labels are accepted. Danger:
	// every host under the domain, including forgotten or user-controlled
	// ones, can then read responses.
	AllowedOriginPatterns []string

	// InsecureAllowAnyOrigin sends Access-Control-Allow-Origin: * so every
	// site can read responses, for public, unauthenticated APIs. It cannot
	// be combined with AllowCredentials or with origin lists.
	InsecureAllowAnyOrigin bool

	// AllowCredentials sends Access-Control-Allow-Credentials: true, so
	// browsers include cookies and the allowed origins can read
	// authenticated responses. Default: false. Never combined with * or
	// with reflecting arbitrary origins: only listed origins get it.
	AllowCredentials bool

	// AllowedMethods lists the methods a preflight may ask for, sent in
	// Access-Control-Allow-Methods. GET, HEAD and POST are always allowed,
	// because browsers send them cross-origin without asking. Default: GET,
	// HEAD, POST.
	AllowedMethods []string

	// AllowedHeaders lists the request headers (beyond the CORS-safelisted
	// ones) a preflight may ask for, such as "Content-Type" for JSON or
	// "Authorization". Matching is case-insensitive. Default: none. "*" is
	// refused.
	AllowedHeaders []string

	// ExposedHeaders lists the response headers scripts on allowed origins
	// may read beyond the safelisted ones. Default: none.
	ExposedHeaders []string

	// MaxAge is how long browsers may cache a preflight result (browsers
	// cap it, Chromium at two hours). Default (0): 10 minutes. Must be
	// between 0 and 24 hours.
	MaxAge time.Duration

	// DeniedHandler answers preflight requests that are refused (origin,
	// method or header not allowed). Default: 403 with a plain-text body
	// and no CORS headers.
	DeniedHandler http.Handler
}

// CORS is the cross-origin resource sharing middleware built by
// [NewCORS]. It is immutable and safe for concurrent use. The zero value
// (and a nil *CORS) allows no origin, and its Handler method panics.
//
// It decides which other origins may read responses; it does not stop
// cross-origin requests from being sent. Pair it with [CSRF] to refuse
// cross-origin state changes, and add the CORS origins that need to POST
// to [CSRFConfig.TrustedOrigins].
//
// Each response gets its own copies of the header value slices, so a
// handler may edit the values it finds in the header map, even in place,
// without reaching any other response.
type CORS struct {
	exact       map[string]bool // allowed origins, in serialized form
	patterns    []originPattern
	any         bool
	credentials string // "" unless AllowCredentials
	methods     []string
	methodList  string // for Access-Control-Allow-Methods
	headers     map[string]bool
	headerList  string // "" when no header is allowed
	exposed     string // "" when no header is exposed
	maxAge      string
	deny        http.Handler
}

const (
	varyActual    = "Origin"
	varyPreflight = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
)

// NewCORS validates cfg and precomputes the response headers. Errors wrap
// [ErrInvalidConfig] or [ErrInvalidOrigin].
func NewCORS(cfg CORSConfig) (*CORS, error) {
	c := &CORS{
		exact:   make(map[string]bool, len(cfg.AllowedOrigins)),
		any:     cfg.InsecureAllowAnyOrigin,
		deny:    cfg.DeniedHandler,
		headers: make(map[string]bool),
	}
	if c.deny == nil {
		c.deny = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Forbidden", http.StatusForbidden)
		})
	}
	if c.any && (cfg.AllowCredentials || len(cfg.AllowedOrigins) > 0 || len(cfg.AllowedOriginPatterns) > 0) {
		return nil, fmt.Errorf("%w: CORS InsecureAllowAnyOrigin cannot be combined with AllowCredentials or origin lists", ErrInvalidConfig)
	}
	for _, o := range cfg.AllowedOrigins {
		if _, _, _, err := checkOrigin(o); err != nil {
			return nil, fmt.Errorf("CORS AllowedOrigins: %w", err)
		}
		c.exact[o] = true
	}
	for _, s := range cfg.AllowedOriginPatterns {
		p, err := parseOriginPattern(s)
		if err != nil {
			return nil, fmt.Errorf("CORS AllowedOriginPatterns: %w", err)
		}
		c.patterns = append(c.patterns, p)
	}
	if cfg.AllowCredentials {
		c.credentials = "true"
	}
	methods := cfg.AllowedMethods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	for _, m := range methods {
		if !httptoken.Valid(m) || m != strings.ToUpper(m) {
			return nil, fmt.Errorf("%w: CORS AllowedMethods: %q is not an uppercase method name", ErrInvalidConfig, m)
		}
		if !slices.Contains(c.methods, m) {
			c.methods = append(c.methods, m)
		}
	}
	c.methodList = strings.Join(c.methods, ", ")
	var names []string
	for _, h := range cfg.AllowedHeaders {
		if !httptoken.Valid(h) || h == "*" {
			return nil, fmt.Errorf("%w: CORS AllowedHeaders: %q is not a header name", ErrInvalidConfig, h)
		}
		if l := strings.ToLower(h); !c.headers[l] {
			c.headers[l] = true
			names = append(names, l)
		}
	}
	if len(names) > 0 {
		c.headerList = strings.Join(names, ", ")
	}
	for _, h := range cfg.ExposedHeaders {
		if !httptoken.Valid(h) || h == "*" {
			return nil, fmt.Errorf("%w: CORS ExposedHeaders: %q is not a header name", ErrInvalidConfig, h)
		}
	}
	if len(cfg.ExposedHeaders) > 0 {
		c.exposed = strings.Join(cfg.ExposedHeaders, ", ")
	}
	age := cfg.MaxAge
	if age == 0 {
		age = 10 * time.Minute
	}
	if age < 0 || age > 24*time.Hour {
		return nil, fmt.Errorf("%w: CORS MaxAge %v is outside 0 to 24h", ErrInvalidConfig, cfg.MaxAge)
	}
	c.maxAge = strconv.FormatInt(int64(age.Seconds()), 10)
	return c, nil
}

// Allowed reports whether origin, an Origin header value, may read
// responses. "null" and anything not in serialized form are never allowed.
func (c *CORS) Allowed(origin string) bool {
	_, ok := c.allowOrigin(origin)
	return ok
}

// allowOrigin returns the Access-Control-Allow-Origin value for origin.
func (c *CORS) allowOrigin(origin string) (string, bool) {
	if c == nil || origin == "" || origin == "null" {
		return "", false
	}
	if c.any {
		return "*", true
	}
	if c.exact[origin] {
		return origin, true
	}
	for _, p := range c.patterns {
		if p.match(origin) {
			return origin, true
		}
	}
	return "", false
}

// Handler returns middleware that answers CORS preflight requests itself
// (they never reach next) and adds CORS headers to responses for allowed
// origins. Requests from other origins are passed on unchanged, without
// CORS headers, so the browser keeps their responses from the calling
// script. Vary: Origin is added to every response (appended to any
// existing Vary), so caches never serve one origin's answer to another.
// It panics if c was not created by [NewCORS].
func (c *CORS) Handler(next http.Handler) http.Handler {
	if c == nil || c.deny == nil {
		panic("headers: CORS.Handler called on a CORS not created by headers.NewCORS")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		origin := r.Header.Get("Origin")
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			c.preflight(w, r, origin)
			return
		}
		vs := values{all: make([]string, 4)}
		vs.addVary(hdr, varyActual)
		if v, ok := c.allowOrigin(origin); ok {
			vs.set(hdr, "Access-Control-Allow-Origin", v)
			if c.credentials != "" {
				vs.set(hdr, "Access-Control-Allow-Credentials", c.credentials)
			}
			if c.exposed != "" {
				vs.set(hdr, "Access-Control-Expose-Headers", c.exposed)
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *CORS) preflight(w http.ResponseWriter, r *http.Request, origin string) {
	hdr := w.Header()
	vs := values{all: make([]string, 6)}
	vs.addVary(hdr, varyPreflight)
	v, ok := c.allowOrigin(origin)
	if !ok || !c.methodAllowed(r.Header.Get("Access-Control-Request-Method")) || !c.headersAllowed(r.Header.Values("Access-Control-Request-Headers")) {
		c.deny.ServeHTTP(w, r)
		return
	}
	vs.set(hdr, "Access-Control-Allow-Origin", v)
	if c.credentials != "" {
		vs.set(hdr, "Access-Control-Allow-Credentials", c.credentials)
	}
	vs.set(hdr, "Access-Control-Allow-Methods", c.methodList)
	if c.headerList != "" {
		vs.set(hdr, "Access-Control-Allow-Headers", c.headerList)
	}
	vs.set(hdr, "Access-Control-Max-Age", c.maxAge)
	w.WriteHeader(http.StatusNoContent)
}

// methodAllowed reports whether a preflight may ask for method m. The
// CORS-safelisted methods are always allowed, as browsers send them
// without a preflight anyway (Fetch standard, "CORS-preflight fetch").
func (c *CORS) methodAllowed(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost:
		return true
	}
	return slices.Contains(c.methods, m)
}

// headersAllowed checks an Access-Control-Request-Headers list. Browsers
// send lowercase names, comma-separated.
func (c *CORS) headersAllowed(lines []string) bool {
	for _, line := range lines {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !c.headers[name] && !c.headers[strings.ToLower(name)] {
				return false
			}
		}
	}
	return true
}

// addVary adds v to the Vary header without dropping existing values,
// and without duplicating it when an inner or outer middleware already
// added it.
func (vs *values) addVary(hdr http.Header, v string) {
	old := hdr["Vary"]
	if len(old) == 0 {
		vs.set(hdr, "Vary", v)
		return
	}
	if slices.Contains(old, v) {
		return
	}
	hdr["Vary"] = append(old, v)
}
