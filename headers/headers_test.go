package headers_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/headers"
)

// nonceRE matches a CSP nonce source and captures the nonce.
var nonceRE = regexp.MustCompile(`'nonce-([A-Za-z0-9+/]{22}==)'`)

// serve runs one request through the middleware built from cfg and
// returns the response and the nonce the handler saw.
func serve(t *testing.T, cfg headers.Config, r *http.Request) (*http.Response, string) {
	t.Helper()
	h, err := headers.New(cfg)
	require.NoError(t, err)
	var seen string
	handler := h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = headers.Nonce(r.Context())
		w.WriteHeader(http.StatusOK)
	}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, r)
	return rec.Result(), seen
}

func httpsRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.TLS = &tls.ConnectionState{}
	return r
}

func TestZeroConfigSendsSafeDefaults(t *testing.T) {
	res, nonce := serve(t, headers.Config{}, httpsRequest())

	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; script-src 'nonce-" + nonce + "' 'strict-dynamic'; " +
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Frame-Options":              "DENY",
		"X-Content-Type-Options":       "nosniff",
		"Referrer-Policy":              "strict-origin-when-cross-origin",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Strict-Transport-Security":    "max-age=63072000; includeSubDomains",
	}
	for k, v := range want {
		assert.Equal(t, []string{v}, res.Header.Values(k), "header %s", k)
	}
	pp := res.Header.Get("Permissions-Policy")
	for _, f := range []string{"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} {
		assert.Contains(t, pp, f)
	}
	for _, deprecated := range []string{"X-XSS-Protection", "Feature-Policy", "Public-Key-Pins", "Expect-CT", "Cache-Control", "Content-Security-Policy-Report-Only", "Reporting-Endpoints"} {
		assert.Empty(t, res.Header.Values(deprecated), "header %s must not be sent", deprecated)
	}
}

func TestNonce(t *testing.T) {
	h, err := headers.New(headers.Config{})
	require.NoError(t, err)
	var inHandler string
	handler := h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inHandler = headers.Nonce(r.Context())
	}))
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		m := nonceRE.FindStringSubmatch(rec.Header().Get("Content-Security-Policy"))
		require.NotNil(t, m, "CSP %q has no nonce", rec.Header().Get("Content-Security-Policy"))
		require.Equal(t, m[1], inHandler, "Nonce(ctx) differs from the header's nonce")
		raw, err := base64.StdEncoding.DecodeString(inHandler)
		require.NoError(t, err)
		require.Len(t, raw, 16)
		require.False(t, seen[inHandler], "nonce %q repeated after %d requests", inHandler, i)
		seen[inHandler] = true
	}
	assert.Empty(t, headers.Nonce(httptest.NewRequest(http.MethodGet, "/", nil).Context()), "Nonce without middleware")
}

func TestNonceIsUniqueAcrossConcurrentRequests(t *testing.T) {
	h, err := headers.New(headers.Config{})
	require.NoError(t, err)
	handler := h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(headers.Nonce(r.Context())))
	}))
	const workers, perWorker = 8, 300
	results := make(chan string, workers*perWorker)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
				results <- rec.Body.String()
			}
		})
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for n := range results {
		require.Len(t, n, 24)
		require.False(t, seen[n], "nonce %q handed out twice", n)
		seen[n] = true
	}
}

func TestNonceKeepsTheRequestContext(t *testing.T) {
	type key struct{}
	h, err := headers.New(headers.Config{})
	require.NoError(t, err)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "kept"))
	var ctx context.Context
	h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx = r.Context()
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil).WithContext(parent))

	assert.Equal(t, "kept", ctx.Value(key{}), "values of the parent context")
	assert.Len(t, headers.Nonce(ctx), 24)
	child, stop := context.WithCancel(ctx)
	defer stop()
	require.NoError(t, ctx.Err())
	cancel()
	<-ctx.Done()
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.Canceled, "cancellation reaches contexts derived in the handler")
}

func TestNonceIsAbsentWhenNoPolicyUsesIt(t *testing.T) {
	cfg := headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}}}
	res, nonce := serve(t, cfg, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Empty(t, nonce)
	assert.Equal(t, "default-src 'self'", res.Header.Get("Content-Security-Policy"))
}

func TestHSTS(t *testing.T) {
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	tests := []struct {
		name   string
		cfg    headers.Config
		tls    bool
		remote string
		unix   bool // arrived on a Unix-socket listener
		proto  string
		want   string // "" means absent
	}{
		{name: "plain HTTP gets no HSTS", remote: "192.0.2.1:1234"},
		{name: "direct TLS gets HSTS", tls: true, want: "max-age=63072000; includeSubDomains"},
		{name: "trusted proxy saying https gets HSTS", cfg: headers.Config{TrustedProxies: []netip.Prefix{proxy}},
			remote: "10.1.2.3:5555", proto: "https", want: "max-age=63072000; includeSubDomains"},
		{name: "trusted proxy saying http gets no HSTS", cfg: headers.Config{TrustedProxies: []netip.Prefix{proxy}},
			remote: "10.1.2.3:5555", proto: "http"},
		{name: "untrusted peer claiming https gets no HSTS", cfg: headers.Config{TrustedProxies: []netip.Prefix{proxy}},
			remote: "192.0.2.1:1234", proto: "https"},
		{name: "no trusted proxies ignores X-Forwarded-Proto", remote: "10.1.2.3:5555", proto: "https"},
		{name: "trusted Unix-socket proxy saying https gets HSTS", cfg: headers.Config{TrustUnixSocket: true},
			remote: "@", unix: true, proto: "https", want: "max-age=63072000; includeSubDomains"},
		{name: "untrusted Unix-socket peer claiming https gets no HSTS",
			remote: "@", unix: true, proto: "https"},
		{name: "Unix-socket trust needs a Unix listener", cfg: headers.Config{TrustUnixSocket: true},
			remote: "@", proto: "https"},
		{name: "custom max-age is written in seconds", cfg: headers.Config{HSTS: headers.HSTS{MaxAge: 400 * 24 * time.Hour}},
			tls: true, want: "max-age=34560000; includeSubDomains"},
		{name: "preload is appended", cfg: headers.Config{HSTS: headers.HSTS{Preload: true}},
			tls: true, want: "max-age=63072000; includeSubDomains; preload"},
		{name: "includeSubDomains can be dropped", cfg: headers.Config{HSTS: headers.HSTS{InsecureOmitSubDomains: true}},
			tls: true, want: "max-age=63072000"},
		{name: "HSTS can be disabled", cfg: headers.Config{HSTS: headers.HSTS{InsecureDisable: true}}, tls: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
			if tt.remote != "" {
				r.RemoteAddr = tt.remote
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.unix {
				la := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
				r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, la))
			}
			res, _ := serve(t, tt.cfg, r)
			assert.Equal(t, tt.want, res.Header.Get("Strict-Transport-Security"))
		})
	}
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name   string
		cfg    headers.Config
		header string
		want   []string // nil means absent
	}{
		// Content-Security-Policy and X-Frame-Options.
		{name: "custom policy is serialized in canonical directive order",
			cfg:    headers.Config{CSP: headers.Policy{headers.ImgSrc: {headers.Self, "https://img.example.com"}, headers.DefaultSrc: {headers.None}}},
			header: "Content-Security-Policy", want: []string{"default-src 'none'; img-src 'self' https://img.example.com"}},
		{name: "frame-ancestors 'self' gives X-Frame-Options SAMEORIGIN",
			cfg:    headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}, headers.FrameAncestors: {headers.Self}}},
			header: "X-Frame-Options", want: []string{"SAMEORIGIN"}},
		{name: "policy without frame-ancestors keeps X-Frame-Options DENY",
			cfg:    headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}}},
			header: "X-Frame-Options", want: []string{"DENY"}},
		{name: "frame-ancestors listing a host drops X-Frame-Options",
			cfg:    headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}, headers.FrameAncestors: {headers.Self, "https://partner.example"}}},
			header: "X-Frame-Options"},
		{name: "InsecureNoEnforcedCSP omits the policy",
			cfg:    headers.Config{InsecureNoEnforcedCSP: true},
			header: "Content-Security-Policy"},
		{name: "report-only policy is sent under its own header",
			cfg:    headers.Config{CSPReportOnly: headers.Policy{headers.DefaultSrc: {headers.None}}},
			header: "Content-Security-Policy-Report-Only", want: []string{"default-src 'none'"}},
		{name: "reporting endpoints are serialized sorted and quoted",
			cfg: headers.Config{
				ReportingEndpoints: map[string]string{"main": "https://r.example.com/csp", "backup": "/reports"},
				CSP:                headers.Policy{headers.DefaultSrc: {headers.Self}, headers.ReportTo: {"main"}},
			},
			header: "Reporting-Endpoints", want: []string{`backup="/reports", main="https://r.example.com/csp"`}},
		{name: "report-to is the last directive",
			cfg: headers.Config{
				ReportingEndpoints: map[string]string{"main": "https://r.example.com/csp"},
				CSP:                headers.Policy{headers.ReportTo: {"main"}, headers.DefaultSrc: {headers.Self}},
			},
			header: "Content-Security-Policy", want: []string{"default-src 'self'; report-to main"}},

		// Referrer-Policy.
		{name: "referrer policy no-referrer", cfg: headers.Config{ReferrerPolicy: headers.NoReferrer},
			header: "Referrer-Policy", want: []string{"no-referrer"}},
		{name: "referrer policy same-origin", cfg: headers.Config{ReferrerPolicy: headers.SameOrigin},
			header: "Referrer-Policy", want: []string{"same-origin"}},
		{name: "referrer policy strict-origin", cfg: headers.Config{ReferrerPolicy: headers.StrictOrigin},
			header: "Referrer-Policy", want: []string{"strict-origin"}},

		// Permissions-Policy.
		{name: "permissions allowlists are structured-field lists",
			cfg:    headers.Config{Permissions: map[string][]string{"camera": {}, "fullscreen": {"self", "https://video.example"}, "geolocation": {"*"}}},
			header: "Permissions-Policy", want: []string{`camera=(), fullscreen=(self "https://video.example"), geolocation=*`}},
		{name: "empty permissions map omits the header",
			cfg:    headers.Config{Permissions: map[string][]string{}},
			header: "Permissions-Policy"},

		// Cross-origin isolation.
		{name: "opener policy same-origin-allow-popups", cfg: headers.Config{OpenerPolicy: headers.OpenerSameOriginAllowPopups},
			header: "Cross-Origin-Opener-Policy", want: []string{"same-origin-allow-popups"}},
		{name: "resource policy cross-origin", cfg: headers.Config{ResourcePolicy: headers.ResourceCrossOrigin},
			header: "Cross-Origin-Resource-Policy", want: []string{"cross-origin"}},
		{name: "resource policy same-site", cfg: headers.Config{ResourcePolicy: headers.ResourceSameSite},
			header: "Cross-Origin-Resource-Policy", want: []string{"same-site"}},
		{name: "embedder policy is absent by default", header: "Cross-Origin-Embedder-Policy"},
		{name: "embedder policy require-corp", cfg: headers.Config{EmbedderPolicy: headers.EmbedderRequireCORP},
			header: "Cross-Origin-Embedder-Policy", want: []string{"require-corp"}},

		// Caching.
		{name: "NoStore sets Cache-Control on every response", cfg: headers.Config{NoStore: true},
			header: "Cache-Control", want: []string{"no-store"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := serve(t, tt.cfg, httptest.NewRequest(http.MethodGet, "/", nil))
			if diff := cmp.Diff(tt.want, res.Header.Values(tt.header)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.header, diff)
			}
		})
	}
}

func TestReportOnlySharesTheNonce(t *testing.T) {
	cfg := headers.Config{CSPReportOnly: headers.Policy{
		headers.DefaultSrc: {headers.None},
		headers.ScriptSrc:  {headers.RequestNonce},
		headers.StyleSrc:   {headers.RequestNonce},
	}}
	res, nonce := serve(t, cfg, httptest.NewRequest(http.MethodGet, "/", nil))
	require.NotEmpty(t, nonce)
	assert.Equal(t, "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'",
		res.Header.Get("Content-Security-Policy-Report-Only"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "'nonce-"+nonce+"'")
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name  string
		cfg   headers.Config
		want  error
		field string
	}{
		{"an invalid CSP", headers.Config{CSP: headers.Policy{headers.ScriptSrc: {"*"}}}, headers.ErrInvalidPolicy, "CSP"},
		{"an invalid report-only CSP", headers.Config{CSPReportOnly: headers.Policy{headers.ScriptSrc: {headers.UnsafeInline}}}, headers.ErrInvalidPolicy, "CSPReportOnly"},
		{"a CSP that InsecureNoEnforcedCSP disables", headers.Config{CSP: headers.DefaultPolicy(), InsecureNoEnforcedCSP: true}, headers.ErrInvalidConfig, "InsecureNoEnforcedCSP"},
		{"report-to naming no endpoint", headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}, headers.ReportTo: {"csp"}}}, headers.ErrInvalidPolicy, "ReportingEndpoints"},
		{"a reporting endpoint over http", headers.Config{ReportingEndpoints: map[string]string{"csp": "http://r.example.com/"}}, headers.ErrInvalidConfig, "ReportingEndpoints"},
		{"a reporting endpoint with a quote", headers.Config{ReportingEndpoints: map[string]string{"csp": `https://r.example.com/"x`}}, headers.ErrInvalidConfig, "ReportingEndpoints"},
		{"a protocol-relative reporting endpoint", headers.Config{ReportingEndpoints: map[string]string{"csp": "//r.example.com/"}}, headers.ErrInvalidConfig, "ReportingEndpoints"},
		{"a reporting endpoint name with a space", headers.Config{ReportingEndpoints: map[string]string{"c sp": "/r"}}, headers.ErrInvalidConfig, "ReportingEndpoints"},
		{"an HSTS max-age under a year", headers.Config{HSTS: headers.HSTS{MaxAge: 30 * 24 * time.Hour}}, headers.ErrInvalidConfig, "HSTS.MaxAge"},
		{"a negative HSTS max-age", headers.Config{HSTS: headers.HSTS{MaxAge: -time.Hour}}, headers.ErrInvalidConfig, "HSTS.MaxAge"},
		{"preload without includeSubDomains", headers.Config{HSTS: headers.HSTS{Preload: true, InsecureOmitSubDomains: true}}, headers.ErrInvalidConfig, "HSTS.Preload"},
		{"preload with HSTS disabled", headers.Config{HSTS: headers.HSTS{Preload: true, InsecureDisable: true}}, headers.ErrInvalidConfig, "HSTS.InsecureDisable"},
		{"a trusted proxy prefix with host bits", headers.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}}, headers.ErrInvalidConfig, "TrustedProxies"},
		{"a RedirectHost without RedirectHTTP", headers.Config{RedirectHost: "example.com"}, headers.ErrInvalidConfig, "RedirectHost"},
		{"a RedirectHost with a path", headers.Config{RedirectHTTP: true, RedirectHost: "example.com/evil"}, headers.ErrInvalidConfig, "RedirectHost"},
		{"a RedirectHost with user info", headers.Config{RedirectHTTP: true, RedirectHost: "user@example.com"}, headers.ErrInvalidConfig, "RedirectHost"},
		{"a leaky referrer policy", headers.Config{ReferrerPolicy: "unsafe-url"}, headers.ErrInvalidConfig, "ReferrerPolicy"},
		{"a downgrade-leaking referrer policy", headers.Config{ReferrerPolicy: "no-referrer-when-downgrade"}, headers.ErrInvalidConfig, "ReferrerPolicy"},
		{"an unknown opener policy", headers.Config{OpenerPolicy: "same-origin; x"}, headers.ErrInvalidConfig, "OpenerPolicy"},
		{"an unknown resource policy", headers.Config{ResourcePolicy: "any"}, headers.ErrInvalidConfig, "ResourcePolicy"},
		{"an unknown embedder policy", headers.Config{EmbedderPolicy: "require-cors"}, headers.ErrInvalidConfig, "EmbedderPolicy"},
		{"a permission feature with injection", headers.Config{Permissions: map[string][]string{"camera=*, x": {}}}, headers.ErrInvalidConfig, "Permissions"},
		{"a permission allowlist with a bad origin", headers.Config{Permissions: map[string][]string{"camera": {"https://a.example/path"}}}, headers.ErrInvalidConfig, "Permissions"},
		{"a permission allowlist mixing * and self", headers.Config{Permissions: map[string][]string{"camera": {"*", "self"}}}, headers.ErrInvalidConfig, "Permissions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := headers.New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.True(t, errors.Is(err, tt.want), "New() error = %v, want %v", err, tt.want)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestRedirectHTTP(t *testing.T) {
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	tests := []struct {
		name     string
		cfg      headers.Config
		method   string
		target   string
		host     string
		remote   string
		proto    string
		tls      bool
		wantCode int
		wantLoc  string
	}{
		{name: "plain GET is moved permanently to https, keeping path and query",
			target: "/a/b?c=d", host: "example.com", wantCode: 301, wantLoc: "https://example.com/a/b?c=d"},
		{name: "plain POST keeps its method with 308",
			method: http.MethodPost, target: "/form", host: "example.com", wantCode: 308, wantLoc: "https://example.com/form"},
		{name: "the request's port is dropped",
			target: "/", host: "example.com:8080", wantCode: 301, wantLoc: "https://example.com/"},
		{name: "an IPv6 host keeps its brackets",
			target: "/", host: "[2001:db8::1]:80", wantCode: 301, wantLoc: "https://[2001:db8::1]/"},
		{name: "RedirectHost overrides a forged Host",
			cfg:    headers.Config{RedirectHost: "example.com:8443"},
			target: "/x", host: "evil.example", wantCode: 301, wantLoc: "https://example.com:8443/x"},
		{name: "a Host with user info is refused",
			target: "/", host: "evil.example@example.com", wantCode: 400},
		{name: "a Host with a path is refused",
			target: "/", host: "evil.example/x", wantCode: 400},
		{name: "a path starting with two slashes stays on the host",
			target: "//evil.example/", host: "example.com", wantCode: 301, wantLoc: "https://example.com//evil.example/"},
		{name: "direct TLS is served",
			target: "/", host: "example.com", tls: true, wantCode: 200},
		{name: "a trusted proxy's https is served",
			cfg:    headers.Config{TrustedProxies: []netip.Prefix{proxy}},
			target: "/", host: "example.com", remote: "10.0.0.1:1", proto: "https", wantCode: 200},
		{name: "an untrusted client's https claim is redirected",
			cfg:    headers.Config{TrustedProxies: []netip.Prefix{proxy}},
			target: "/", host: "example.com", remote: "192.0.2.1:1", proto: "https", wantCode: 301, wantLoc: "https://example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.RedirectHTTP = true
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			r := httptest.NewRequest(method, tt.target, nil)
			r.Host = tt.host
			if tt.remote != "" {
				r.RemoteAddr = tt.remote
			}
			if tt.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			res, _ := serve(t, cfg, r)
			assert.Equal(t, tt.wantCode, res.StatusCode)
			assert.Equal(t, tt.wantLoc, res.Header.Get("Location"))
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "redirects carry the security headers too")
			assert.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'self'", "redirects carry the policy too")
		})
	}
}

func TestWithCSPReplacesThePolicyAndKeepsTheNonce(t *testing.T) {
	site, err := headers.New(headers.Config{})
	require.NoError(t, err)
	embeddable := headers.DefaultPolicy()
	embeddable[headers.FrameAncestors] = []headers.Source{"https://partner.example"}
	route, err := site.WithCSP(embeddable)
	require.NoError(t, err)
	embeddable[headers.FrameAncestors] = []headers.Source{"https://changed-later.example"}

	var inner string
	mux := http.NewServeMux()
	mux.Handle("/widget", route.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = headers.Nonce(r.Context())
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {})
	handler := site.Handler(mux)

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/widget", nil))
	csp := rec.Header().Values("Content-Security-Policy")
	require.Len(t, csp, 1)
	assert.Contains(t, csp[0], "frame-ancestors https://partner.example")
	assert.Contains(t, csp[0], "'nonce-"+inner+"'")
	assert.Empty(t, rec.Header().Get("X-Frame-Options"), "a host list in frame-ancestors cannot be expressed in X-Frame-Options")

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/other", nil))
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	assert.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))

	_, err = site.WithCSP(headers.Policy{headers.ScriptSrc: {"*"}})
	assert.ErrorIs(t, err, headers.ErrInvalidPolicy)
}

func TestHandlerAddDoesNotLeakIntoLaterResponses(t *testing.T) {
	h, err := headers.New(headers.Config{})
	require.NoError(t, err)
	first := true
	handler := h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if first {
			w.Header().Add("Cross-Origin-Resource-Policy", "cross-origin")
			w.Header().Add("X-Content-Type-Options", "extra")
			first = false
		}
	}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, []string{"same-origin", "cross-origin"}, rec.Header().Values("Cross-Origin-Resource-Policy"))

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, []string{"same-origin"}, rec.Header().Values("Cross-Origin-Resource-Policy"))
	assert.Equal(t, []string{"nosniff"}, rec.Header().Values("X-Content-Type-Options"))
}

func TestNoStore(t *testing.T) {
	handler := headers.NoStore(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Cache-Control", "private")
	}))
	for range 2 {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/account", nil))
		assert.Equal(t, []string{"no-store", "private"}, rec.Header().Values("Cache-Control"))
	}
}

func TestEverySentValueIsASingleCleanLine(t *testing.T) {
	res, _ := serve(t, headers.Config{
		CSPReportOnly:      headers.DefaultPolicy(),
		ReportingEndpoints: map[string]string{"csp": "/csp"},
		NoStore:            true,
		EmbedderPolicy:     headers.EmbedderCredentialless,
	}, httpsRequest())
	for k, vs := range res.Header {
		require.Len(t, vs, 1, k)
		assert.False(t, strings.ContainsAny(vs[0], "\r\n\x00"), "%s: %q", k, vs[0])
	}
}

// TestEditsInPlaceDoNotLeakIntoLaterResponses has the first response's
// handler overwrite, in place, every value the middleware set (as a
// handler relaxing X-Frame-Options or the CSP for one page might), and
// checks the next responses still carry the configured values.
func TestEditsInPlaceDoNotLeakIntoLaterResponses(t *testing.T) {
	edit := func(w http.ResponseWriter) {
		for _, v := range w.Header() {
			for i := range v {
				v[i] = "edited"
			}
		}
	}
	// editFirst wraps a handler that edits the first response it sees.
	editFirst := func(wrap func(http.Handler) http.Handler) http.Handler {
		editing := true
		return wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			if editing {
				edit(w)
				editing = false
			}
		}))
	}
	check := func(t *testing.T, h http.Handler, newReq func() *http.Request) {
		t.Helper()
		first := httptest.NewRecorder()
		h.ServeHTTP(first, newReq())
		want := first.Header().Clone()
		require.NotEmpty(t, want)
		for range 2 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newReq())
			assert.Equal(t, want, rec.Header(), "an in-place edit by an earlier handler leaked")
		}
	}

	t.Run("Headers", func(t *testing.T) {
		hs, err := headers.New(headers.Config{CSP: headers.Policy{headers.DefaultSrc: {headers.Self}, headers.FrameAncestors: {headers.None}}})
		require.NoError(t, err)
		h := editFirst(hs.Handler)
		newReq := func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
			r.TLS = &tls.ConnectionState{} // so HSTS is sent too
			return r
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newReq()) // the editing response
		require.Equal(t, "edited", rec.Header().Get("X-Frame-Options"))
		check(t, h, newReq)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, newReq())
		assert.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"))
		assert.NotEmpty(t, rec.Header().Get("Strict-Transport-Security"))
		assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	})
	t.Run("CORS", func(t *testing.T) {
		c, err := headers.NewCORS(headers.CORSConfig{
			AllowedOrigins: []string{"https://app.example.com"}, AllowCredentials: true,
			AllowedHeaders: []string{"Content-Type"}, ExposedHeaders: []string{"X-Request-Id"},
		})
		require.NoError(t, err)
		for _, preflight := range []bool{false, true} {
			h := editFirst(c.Handler)
			newReq := func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				if preflight {
					r.Method = http.MethodOptions
					r.Header.Set("Access-Control-Request-Method", http.MethodPost)
					r.Header.Set("Access-Control-Request-Headers", "content-type")
				}
				r.Header.Set("Origin", "https://app.example.com")
				return r
			}
			if preflight { // preflights never reach the handler: edit from outside
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, newReq())
				edit(rec)
			} else {
				h.ServeHTTP(httptest.NewRecorder(), newReq())
			}
			check(t, h, newReq)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newReq())
			assert.Equal(t, "https://app.example.com", rec.Header().Get("Access-Control-Allow-Origin"), "preflight=%v", preflight)
		}
	})
	t.Run("NoStore", func(t *testing.T) {
		h := editFirst(headers.NoStore)
		newReq := func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }
		h.ServeHTTP(httptest.NewRecorder(), newReq())
		check(t, h, newReq)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newReq())
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	})
}
