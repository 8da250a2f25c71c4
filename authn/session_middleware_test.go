package authn_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

func TestRequireMiddlewares(t *testing.T) {
	var denial authn.RequireDenial
	recordDenial := func(code int) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, ok := authn.RequireDenialFromContext(r.Context())
			require.True(t, ok, "deny handlers get a RequireDenial")
			denial = d
			w.WriteHeader(code)
		})
	}
	h := newSessionHarness(t, authn.SessionConfig{
		UnauthenticatedHandler: recordDenial(http.StatusSeeOther),
		MFAHandler:             recordDenial(http.StatusForbidden),
		StepUpHandler:          recordDenial(http.StatusUnauthorized),
	})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux := http.NewServeMux()
	mux.Handle("/account", h.m.RequireAuth(ok))
	mux.Handle("/admin", h.m.RequireMFA(ok))
	mux.Handle("/billing", h.m.RequireRecentAuth(15*time.Minute)(ok))
	handler := h.m.Middleware(mux)

	password := h.login(t, "alice")
	var mfaTok string
	{
		r := httptest.NewRequest("POST", "https://example.com/", nil)
		r.Header.Set("Cookie", h.m.CookieName()+"="+password)
		w := httptest.NewRecorder()
		h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err := h.m.Rotate(w, r, authn.SessionChange{AddMethods: authn.SessionTOTP})
			require.NoError(t, err)
		})).ServeHTTP(w, r)
		mfaTok = sessionCookieFrom(t, w, h.m.CookieName())
		password = h.login(t, "alice")
	}

	for _, tc := range []struct {
		name     string
		method   string
		target   string
		token    string
		advance  time.Duration
		want     int
		reason   authn.RequireReason
		returnTo string
	}{
		{"an anonymous request is sent to log in with a way back", "GET", "/account?tab=keys", "", 0, http.StatusSeeOther, authn.RequireReasonAuth, "/account?tab=keys"},
		{"a POST returns to the home page", "POST", "/account", "", 0, http.StatusSeeOther, authn.RequireReasonAuth, "/"},
		{"a logged-in user passes RequireAuth", "GET", "/account", password, 0, http.StatusNoContent, 0, ""},
		{"a password-only session is refused by RequireMFA", "GET", "/admin", password, 0, http.StatusForbidden, authn.RequireReasonMFA, "/admin"},
		{"an MFA session passes RequireMFA", "GET", "/admin", mfaTok, 0, http.StatusNoContent, 0, ""},
		{"an anonymous request to an MFA page must log in first", "GET", "/admin", "", 0, http.StatusSeeOther, authn.RequireReasonAuth, "/admin"},
		{"a fresh login passes the step-up check", "GET", "/billing", password, 0, http.StatusNoContent, 0, ""},
		{"a login older than maxAge must step up", "GET", "/billing", password, 16 * time.Minute, http.StatusUnauthorized, authn.RequireReasonRecentAuth, "/billing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.clock.Advance(tc.advance)
			denial = authn.RequireDenial{}
			r := httptest.NewRequest(tc.method, "https://example.com/", nil)
			r.URL.Path, r.URL.RawQuery, _ = requireCutQuery(tc.target)
			r.RequestURI = tc.target
			if tc.token != "" {
				r.Header.Set("Cookie", h.m.CookieName()+"="+tc.token)
			}
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, r)
			require.Equal(t, tc.want, w.Code)
			require.Equal(t, tc.reason, denial.Reason)
			require.Equal(t, tc.returnTo, denial.ReturnTo)
			if tc.reason == authn.RequireReasonRecentAuth {
				require.Equal(t, 15*time.Minute, denial.MaxAge)
				require.False(t, denial.AuthTime.IsZero())
			}
		})
	}
}

func requireCutQuery(target string) (path, query string, ok bool) {
	for i := 0; i < len(target); i++ {
		if target[i] == '?' {
			return target[:i], target[i+1:], true
		}
	}
	return target, "", false
}

func TestRequireDefaultHandlersRevealNothing(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	for _, tc := range []struct {
		name string
		h    http.Handler
		want int
	}{
		{"RequireAuth answers 401", m.RequireAuth(http.NotFoundHandler()), http.StatusUnauthorized},
		{"RequireMFA answers 401 without a session", m.RequireMFA(http.NotFoundHandler()), http.StatusUnauthorized},
		{"RequireRecentAuth answers 401 without a session", m.RequireRecentAuth(time.Minute)(http.NotFoundHandler()), http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tc.h.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
			require.Equal(t, tc.want, w.Code)
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
		})
	}
	require.Panics(t, func() { m.RequireRecentAuth(0) })
}

func TestRequireReturnToStaysOnSite(t *testing.T) {
	var got string
	m := authn.MustNewSessions(authn.SessionConfig{UnauthenticatedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := authn.RequireDenialFromContext(r.Context())
		got = d.ReturnTo
	})})
	h := m.RequireAuth(http.NotFoundHandler())
	for _, tc := range []struct {
		name, path, want string
	}{
		{"a plain path is kept", "/settings/keys", "/settings/keys"},
		{"a protocol-relative path is replaced", "//evil.example/x", "/"},
		{"a backslash path is escaped, not a host", "/\\evil.example/x", "/%5Cevil.example/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.Path = tc.path
			h.ServeHTTP(httptest.NewRecorder(), r)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestSessionReturnPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/billing?tab=cards", "/billing?tab=cards"},
		{"/", "/"},
		{"", "/"},
		{"billing", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/a\\b", "/"},
		{"/a\nLocation: x", "/"},
		{"/a\tb", "/"},
	} {
		require.Equal(t, tc.want, authn.SessionReturnPath(tc.in), "SessionReturnPath(%q)", tc.in)
	}
}

// FuzzSessionReturnPath checks that the result is always a path that no
// browser resolves to another host.
func FuzzSessionReturnPath(f *testing.F) {
	for _, s := range []string{"/billing", "//evil", "/\\evil", "/%2F%2Fevil", "https://x", "/a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := authn.SessionReturnPath(in)
		if out != "/" && out != in {
			t.Fatalf("SessionReturnPath(%q) = %q: neither the input nor /", in, out)
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\\r\n\t\x00") {
			t.Fatalf("SessionReturnPath(%q) = %q is unsafe", in, out)
		}
		u, err := url.Parse(out)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("SessionReturnPath(%q) = %q parses with host %q scheme %q", in, out, u.Host, u.Scheme)
		}
	})
}
