package headers_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/headers"
)

func TestCORSMatrix(t *testing.T) {
	withCreds := headers.CORSConfig{
		AllowedOrigins:        []string{"https://app.example.com", "http://localhost:3000"},
		AllowedOriginPatterns: []string{"https://*.tenants.example.com"},
		AllowCredentials:      true,
		AllowedMethods:        []string{"GET", "POST", "DELETE"},
		AllowedHeaders:        []string{"Content-Type", "X-Request-ID"},
		ExposedHeaders:        []string{"X-Request-ID"},
		MaxAge:                time.Hour,
	}
	public := headers.CORSConfig{InsecureAllowAnyOrigin: true}

	type want struct {
		status  int
		reached bool              // the next handler ran
		headers map[string]string // exact values; "" means absent
	}
	absentCORS := map[string]string{
		"Access-Control-Allow-Origin":      "",
		"Access-Control-Allow-Credentials": "",
		"Access-Control-Allow-Methods":     "",
	}
	tests := []struct {
		name   string
		cfg    headers.CORSConfig
		method string
		req    map[string]string
		vary   []string // preexisting Vary set by an outer layer
		want   want
	}{
		// Actual requests.
		{name: "a listed origin is allowed with credentials", cfg: withCreds,
			req: map[string]string{"Origin": "https://app.example.com"},
			want: want{200, true, map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Expose-Headers":    "X-Request-ID",
				"Vary":                             "Origin",
			}}},
		{name: "a listed http localhost origin is allowed", cfg: withCreds,
			req:  map[string]string{"Origin": "http://localhost:3000"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "http://localhost:3000"}}},
		{name: "a subdomain matching a pattern is allowed", cfg: withCreds,
			req:  map[string]string{"Origin": "https://acme.tenants.example.com"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "https://acme.tenants.example.com", "Access-Control-Allow-Credentials": "true"}}},
		{name: "a deeper subdomain matching a pattern is allowed", cfg: withCreds,
			req:  map[string]string{"Origin": "https://a.b.tenants.example.com"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "https://a.b.tenants.example.com"}}},
		{name: "the pattern's own domain is not a subdomain", cfg: withCreds,
			req:  map[string]string{"Origin": "https://tenants.example.com"},
			want: want{200, true, absentCORS}},
		{name: "a look-alike suffix does not match the pattern", cfg: withCreds,
			req:  map[string]string{"Origin": "https://eviltenants.example.com"},
			want: want{200, true, absentCORS}},
		{name: "http does not match an https pattern", cfg: withCreds,
			req:  map[string]string{"Origin": "http://acme.tenants.example.com"},
			want: want{200, true, absentCORS}},
		{name: "a port does not match a pattern without one", cfg: withCreds,
			req:  map[string]string{"Origin": "https://acme.tenants.example.com:8443"},
			want: want{200, true, absentCORS}},
		{name: "an unlisted origin is passed on without CORS headers but with Vary", cfg: withCreds,
			req:  map[string]string{"Origin": "https://evil.example"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": "", "Vary": "Origin"}}},
		{name: "a listed origin with a trailing slash is not the origin", cfg: withCreds,
			req:  map[string]string{"Origin": "https://app.example.com/"},
			want: want{200, true, absentCORS}},
		{name: "a listed origin with different case is not the origin", cfg: withCreds,
			req:  map[string]string{"Origin": "https://APP.example.com"},
			want: want{200, true, absentCORS}},
		{name: "the null origin is refused", cfg: withCreds,
			req:  map[string]string{"Origin": "null"},
			want: want{200, true, absentCORS}},
		{name: "a request without Origin still gets Vary", cfg: withCreds,
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"}}},
		{name: "an existing Vary is kept", cfg: withCreds, vary: []string{"Accept-Encoding"},
			req:  map[string]string{"Origin": "https://app.example.com"},
			want: want{200, true, map[string]string{"Vary": "Accept-Encoding"}}},
		{name: "any origin gets * without credentials", cfg: public,
			req:  map[string]string{"Origin": "https://anyone.example"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": ""}}},
		{name: "any origin still refuses null", cfg: public,
			req:  map[string]string{"Origin": "null"},
			want: want{200, true, absentCORS}},
		{name: "the zero config allows nobody", cfg: headers.CORSConfig{},
			req:  map[string]string{"Origin": "https://app.example.com"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin"}}},

		// Preflight requests.
		{name: "a preflight for an allowed method and headers is answered", cfg: withCreds, method: http.MethodOptions,
			req: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "content-type,x-request-id"},
			want: want{204, false, map[string]string{
				"Access-Control-Allow-Origin":      "https://app.example.com",
				"Access-Control-Allow-Credentials": "true",
				"Access-Control-Allow-Methods":     "GET, POST, DELETE",
				"Access-Control-Allow-Headers":     "content-type, x-request-id",
				"Access-Control-Max-Age":           "3600",
				"Vary":                             "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
			}}},
		{name: "a preflight for a disallowed method is refused", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"},
			want: want{403, false, absentCORS}},
		{name: "a preflight for a safelisted method not in the list is answered", cfg: headers.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"Content-Type"}}, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
			want: want{204, false, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "PUT"}}},
		{name: "a preflight for a lowercase method is refused", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "delete"},
			want: want{403, false, absentCORS}},
		{name: "a preflight for a disallowed header is refused", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"},
			want: want{403, false, absentCORS}},
		{name: "a preflight from an unlisted origin is refused", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
			want: want{403, false, map[string]string{"Access-Control-Allow-Origin": "", "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"}}},
		{name: "a preflight from null is refused", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "null", "Access-Control-Request-Method": "GET"},
			want: want{403, false, absentCORS}},
		{name: "default methods and max-age", cfg: headers.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}}, method: http.MethodOptions,
			req: map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
			want: want{204, false, map[string]string{
				"Access-Control-Allow-Methods":     "GET, HEAD, POST",
				"Access-Control-Max-Age":           "600",
				"Access-Control-Allow-Credentials": "",
				"Access-Control-Allow-Headers":     "",
			}}},
		{name: "an OPTIONS request that is not a preflight reaches the handler", cfg: withCreds, method: http.MethodOptions,
			req:  map[string]string{"Origin": "https://app.example.com"},
			want: want{200, true, map[string]string{"Access-Control-Allow-Origin": "https://app.example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := headers.NewCORS(tt.cfg)
			require.NoError(t, err)
			reached := false
			h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached = true
			}))
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			r := httptest.NewRequest(method, "https://api.example.com/items", nil)
			for k, v := range tt.req {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			if tt.vary != nil {
				rec.Header()["Vary"] = tt.vary
			}
			h.ServeHTTP(rec, r)
			assert.Equal(t, tt.want.status, rec.Code)
			assert.Equal(t, tt.want.reached, reached, "next handler reached")
			for k, v := range tt.want.headers {
				if k == "Vary" && tt.vary != nil {
					assert.Equal(t, append(tt.vary, "Origin"), rec.Header().Values("Vary"))
					continue
				}
				assert.Equal(t, v, rec.Header().Get(k), "header %s", k)
			}
		})
	}
}

func TestCORSDeniedHandler(t *testing.T) {
	c, err := headers.NewCORS(headers.CORSConfig{
		AllowedOrigins: []string{"https://app.example.com"},
		DeniedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
		}),
	})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodOptions, "/", nil)
	r.Header.Set("Origin", "https://evil.example")
	r.Header.Set("Access-Control-Request-Method", "POST")
	rec := httptest.NewRecorder()
	c.Handler(http.NotFoundHandler()).ServeHTTP(rec, r)
	assert.Equal(t, http.StatusTeapot, rec.Code)
}

func TestCORSVaryIsNotDuplicatedWhenNested(t *testing.T) {
	c, err := headers.NewCORS(headers.CORSConfig{AllowedOrigins: []string{"https://app.example.com"}})
	require.NoError(t, err)
	h := c.Handler(c.Handler(http.NotFoundHandler()))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if diff := cmp.Diff([]string{"Origin"}, rec.Header().Values("Vary")); diff != "" {
		t.Errorf("Vary (-want +got):\n%s", diff)
	}
}

func TestCORSAllowed(t *testing.T) {
	c, err := headers.NewCORS(headers.CORSConfig{
		AllowedOrigins:        []string{"https://app.example.com", "https://[2001:db8::1]:8443"},
		AllowedOriginPatterns: []string{"https://*.example.org:8443"},
	})
	require.NoError(t, err)
	for origin, want := range map[string]bool{
		"https://app.example.com":      true,
		"https://[2001:db8::1]:8443":   true,
		"https://a.example.org:8443":   true,
		"https://a.example.org":        false,
		"https://a.example.org:84430":  false,
		"https://a..example.org:8443":  false,
		"https://-a.example.org:8443":  false,
		"https://a_b.example.org:8443": false,
		"https://a@b.example.org:8443": false,
		"https://x/.example.org:8443":  false,
		"https://.example.org:8443":    false,
		"":                             false,
		"null":                         false,
	} {
		assert.Equal(t, want, c.Allowed(origin), "Allowed(%q)", origin)
	}
}

func TestNewCORSRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  headers.CORSConfig
		want error
	}{
		{"credentials with any origin", headers.CORSConfig{InsecureAllowAnyOrigin: true, AllowCredentials: true}, headers.ErrInvalidConfig},
		{"any origin with a list", headers.CORSConfig{InsecureAllowAnyOrigin: true, AllowedOrigins: []string{"https://a.example"}}, headers.ErrInvalidConfig},
		{"the null origin", headers.CORSConfig{AllowedOrigins: []string{"null"}}, headers.ErrInvalidOrigin},
		{"a * origin", headers.CORSConfig{AllowedOrigins: []string{"*"}}, headers.ErrInvalidOrigin},
		{"an origin with a trailing slash", headers.CORSConfig{AllowedOrigins: []string{"https://a.example/"}}, headers.ErrInvalidOrigin},
		{"an origin with a path", headers.CORSConfig{AllowedOrigins: []string{"https://a.example/app"}}, headers.ErrInvalidOrigin},
		{"an origin with uppercase", headers.CORSConfig{AllowedOrigins: []string{"https://A.example"}}, headers.ErrInvalidOrigin},
		{"an origin with the default port", headers.CORSConfig{AllowedOrigins: []string{"https://a.example:443"}}, headers.ErrInvalidOrigin},
		{"an origin without scheme", headers.CORSConfig{AllowedOrigins: []string{"a.example"}}, headers.ErrInvalidOrigin},
		{"an origin with user info", headers.CORSConfig{AllowedOrigins: []string{"https://u@a.example"}}, headers.ErrInvalidOrigin},
		{"an origin with a wildcard", headers.CORSConfig{AllowedOrigins: []string{"https://*.a.example"}}, headers.ErrInvalidOrigin},
		{"an origin with a bad port", headers.CORSConfig{AllowedOrigins: []string{"https://a.example:0"}}, headers.ErrInvalidOrigin},
		{"an origin with a non-canonical IPv6", headers.CORSConfig{AllowedOrigins: []string{"https://[2001:DB8:0::1]"}}, headers.ErrInvalidOrigin},
		{"a pattern over http", headers.CORSConfig{AllowedOriginPatterns: []string{"http://*.example.com"}}, headers.ErrInvalidOrigin},
		{"a pattern over a top-level domain", headers.CORSConfig{AllowedOriginPatterns: []string{"https://*.com"}}, headers.ErrInvalidOrigin},
		{"a bare * pattern", headers.CORSConfig{AllowedOriginPatterns: []string{"https://*"}}, headers.ErrInvalidOrigin},
		{"a pattern with an inner wildcard", headers.CORSConfig{AllowedOriginPatterns: []string{"https://*.*.example.com"}}, headers.ErrInvalidOrigin},
		{"a pattern on an IP address", headers.CORSConfig{AllowedOriginPatterns: []string{"https://*.10.0.0.1"}}, headers.ErrInvalidOrigin},
		{"a pattern with a path", headers.CORSConfig{AllowedOriginPatterns: []string{"https://*.example.com/"}}, headers.ErrInvalidOrigin},
		{"a lowercase method", headers.CORSConfig{AllowedMethods: []string{"get"}}, headers.ErrInvalidConfig},
		{"a method with a space", headers.CORSConfig{AllowedMethods: []string{"GET POST"}}, headers.ErrInvalidConfig},
		{"a * header", headers.CORSConfig{AllowedHeaders: []string{"*"}}, headers.ErrInvalidConfig},
		{"a header with a colon", headers.CORSConfig{AllowedHeaders: []string{"X-A: b"}}, headers.ErrInvalidConfig},
		{"a * exposed header", headers.CORSConfig{ExposedHeaders: []string{"*"}}, headers.ErrInvalidConfig},
		{"a negative max-age", headers.CORSConfig{MaxAge: -time.Second}, headers.ErrInvalidConfig},
		{"a max-age over a day", headers.CORSConfig{MaxAge: 25 * time.Hour}, headers.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := headers.NewCORS(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.True(t, errors.Is(err, tt.want), "NewCORS() error = %v, want %v", err, tt.want)
		})
	}
}
