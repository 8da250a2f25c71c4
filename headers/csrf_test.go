package headers_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/headers"
)

func TestCSRF(t *testing.T) {
	c, err := headers.NewCSRF(headers.CSRFConfig{
		TrustedOrigins:         []string{"https://admin.example.com"},
		InsecureBypassPatterns: []string{"POST /webhooks/{provider}"},
	})
	require.NoError(t, err)

	tests := []struct {
		name   string
		method string
		path   string
		req    map[string]string
		want   int
	}{
		// Browsers that send Sec-Fetch-Site.
		{"a cross-site POST is rejected", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403},
		{"a same-site (sibling subdomain) POST is rejected", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://blog.example.com"}, 403},
		{"a cross-site DELETE is rejected", "DELETE", "/item/1", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"a same-origin POST is allowed", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://example.com"}, 200},
		{"a user-initiated POST (none) is allowed", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "none"}, 200},
		{"a cross-site GET is allowed", "GET", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"a cross-site HEAD is allowed", "HEAD", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"a cross-site OPTIONS is allowed", "OPTIONS", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"a trusted origin's cross-site POST is allowed", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://admin.example.com"}, 200},
		{"a trusted origin over http is not trusted", "POST", "/transfer", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://admin.example.com"}, 403},
		{"a cross-site POST to a bypass pattern is allowed", "POST", "/webhooks/stripe", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"a cross-site PUT to a POST-only bypass pattern is rejected", "PUT", "/webhooks/stripe", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},

		// Older browsers: Origin against Host.
		{"an old browser's cross-origin POST is rejected", "POST", "/transfer", map[string]string{"Origin": "https://evil.example"}, 403},
		{"an old browser's same-origin POST is allowed", "POST", "/transfer", map[string]string{"Origin": "https://example.com"}, 200},
		{"an old browser's null-origin POST is rejected", "POST", "/transfer", map[string]string{"Origin": "null"}, 403},

		// Non-browser clients.
		{"a POST with neither header is allowed", "POST", "/transfer", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "https://example.com"+tt.path, nil)
			for k, v := range tt.req {
				r.Header.Set(k, v)
			}
			reached := false
			rec := httptest.NewRecorder()
			c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true })).ServeHTTP(rec, r)
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.want == 200, reached, "next handler reached")
			err := c.Check(r)
			if tt.want == 200 {
				assert.NoError(t, err)
			} else {
				assert.True(t, errors.Is(err, headers.ErrCrossOriginRequest), "Check() = %v", err)
				assert.Equal(t, "Forbidden\n", rec.Body.String(), "the default deny response reveals nothing")
			}
		})
	}
}

func TestCSRFDeniedHandler(t *testing.T) {
	c, err := headers.NewCSRF(headers.CSRFConfig{DeniedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	c.Handler(http.NotFoundHandler()).ServeHTTP(rec, r)
	assert.Equal(t, http.StatusTeapot, rec.Code)
}

func TestNewCSRFRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  headers.CSRFConfig
		want error
	}{
		{"a trusted origin with a path", headers.CSRFConfig{TrustedOrigins: []string{"https://a.example/x"}}, headers.ErrInvalidOrigin},
		{"a trusted null origin", headers.CSRFConfig{TrustedOrigins: []string{"null"}}, headers.ErrInvalidOrigin},
		{"a trusted origin without scheme", headers.CSRFConfig{TrustedOrigins: []string{"a.example"}}, headers.ErrInvalidOrigin},
		{"an invalid bypass pattern", headers.CSRFConfig{InsecureBypassPatterns: []string{"POST /a/{x"}}, headers.ErrInvalidConfig},
		{"conflicting bypass patterns", headers.CSRFConfig{InsecureBypassPatterns: []string{"/a/{x}", "/a/{y}"}}, headers.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := headers.NewCSRF(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.True(t, errors.Is(err, tt.want), "NewCSRF() error = %v, want %v", err, tt.want)
		})
	}
}
