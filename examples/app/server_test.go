package main

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newTestApp(t).srv
}

var (
	cspNonce    = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/=]+)'`)
	scriptNonce = regexp.MustCompile(`<script nonce="([^"]+)">`)
)

func TestNoncePageScriptCarriesTheResponseNonce(t *testing.T) {
	srv := newTestServer(t)
	seen := map[string]bool{}
	for range 3 {
		resp, err := http.Get(srv.URL + "/nonce")
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode)

		m := cspNonce.FindStringSubmatch(resp.Header.Get("Content-Security-Policy"))
		require.NotNil(t, m, "CSP %q has no script nonce", resp.Header.Get("Content-Security-Policy"))
		s := scriptNonce.FindStringSubmatch(string(body))
		require.NotNil(t, s, "page has no nonce'd script")
		assert.Equal(t, m[1], html.UnescapeString(s[1]), "the script's nonce must be the header's")
		assert.False(t, seen[m[1]], "nonce %q repeated across responses", m[1])
		seen[m[1]] = true
	}
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	srv := newTestServer(t)
	for _, path := range []string{"/", "/nonce", "/static/app.css"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		for key, want := range map[string]string{
			"X-Content-Type-Options":       "nosniff",
			"X-Frame-Options":              "DENY",
			"Referrer-Policy":              "strict-origin-when-cross-origin",
			"Cross-Origin-Opener-Policy":   "same-origin",
			"Cross-Origin-Resource-Policy": "same-origin",
		} {
			assert.Equal(t, want, resp.Header.Get(key), "%s %s", path, key)
		}
		assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "object-src 'none'", path)
		assert.Empty(t, resp.Header.Get("Strict-Transport-Security"), "no HSTS over plain HTTP")
	}
}

func TestLoginFormRejectsCrossSitePosts(t *testing.T) {
	srv := newTestServer(t)
	post := func(fetchSite string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/signin", strings.NewReader("email=a%40example.com&password=x"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", fetchSite)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	assert.Equal(t, http.StatusForbidden, post("cross-site").StatusCode, "cross-site POST")
	assert.Equal(t, http.StatusUnauthorized, post("same-origin").StatusCode, "same-origin POST reaches the handler")
}
