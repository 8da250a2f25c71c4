package authn_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

// newSessionClock returns the injected clock of the session tests, at a
// fixed start; tests never sleep.
func newSessionClock() *tokenClock {
	return &tokenClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// sessionInvalidLog records OnInvalid calls.
type sessionInvalidLog struct {
	mu      sync.Mutex
	reasons []authn.SessionReason
}

func (l *sessionInvalidLog) hook(_ *http.Request, reason authn.SessionReason, _ error) {
	l.mu.Lock()
	l.reasons = append(l.reasons, reason)
	l.mu.Unlock()
}

func (l *sessionInvalidLog) take() []authn.SessionReason {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.reasons
	l.reasons = nil
	return r
}

// sessionHarness is a Sessions with a clock, an OnInvalid log and a mux
// echoing the principal.
type sessionHarness struct {
	m       *authn.Sessions
	clock   *tokenClock
	invalid *sessionInvalidLog
	handler http.Handler
}

func newSessionHarness(t *testing.T, cfg authn.SessionConfig) *sessionHarness {
	t.Helper()
	h := &sessionHarness{clock: newSessionClock(), invalid: &sessionInvalidLog{}}
	cfg.Now = h.clock.Now
	cfg.OnInvalid = h.invalid.hook
	m, err := authn.NewSessions(cfg)
	require.NoError(t, err)
	h.m = m
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if _, err := m.Create(w, r, authn.SessionLogin{UserID: r.FormValue("user"), Methods: authn.SessionPassword}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := authn.PrincipalFromContext(r.Context()); ok {
			_, _ = w.Write([]byte(p.UserID))
		}
	})
	h.handler = m.Middleware(mux)
	return h
}

// login creates a session for user and returns the cookie value.
func (h *sessionHarness) login(t *testing.T, user string, cookies ...string) string {
	t.Helper()
	r := httptest.NewRequest("POST", "https://example.com/login?user="+user, nil)
	for _, c := range cookies {
		r.Header.Add("Cookie", c)
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	return sessionCookieFrom(t, w, h.m.CookieName())
}

// whoami returns the user the session cookie value authenticates ("" if
// none) and the response.
func (h *sessionHarness) whoami(t *testing.T, cookieValue string) (string, *httptest.ResponseRecorder) {
	t.Helper()
	r := httptest.NewRequest("GET", "https://example.com/whoami", nil)
	if cookieValue != "" {
		r.Header.Set("Cookie", h.m.CookieName()+"="+cookieValue)
	}
	w := httptest.NewRecorder()
	h.handler.ServeHTTP(w, r)
	return w.Body.String(), w
}

func sessionCookieFrom(t *testing.T, w *httptest.ResponseRecorder, name string) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return c.Value
		}
	}
	t.Fatalf("no %s cookie set; Set-Cookie: %q", name, w.Header().Values("Set-Cookie"))
	return ""
}

// --- Cookie attributes ---

func TestSessionCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      authn.SessionConfig
		host     string
		wantName string
		secure   bool
		sameSite http.SameSite
		maxAge   int
	}{
		{"the default cookie is __Host-, HttpOnly, Secure and Lax", authn.SessionConfig{}, "example.com",
			"__Host-session", true, http.SameSiteLaxMode, 0},
		{"a custom name keeps the __Host- prefix", authn.SessionConfig{CookieName: "sid"}, "example.com",
			"__Host-sid", true, http.SameSiteLaxMode, 0},
		{"a name given with the prefix is not doubled", authn.SessionConfig{CookieName: "__Host-sid"}, "example.com",
			"__Host-sid", true, http.SameSiteLaxMode, 0},
		{"strict same-site is honoured", authn.SessionConfig{CookieSameSite: http.SameSiteStrictMode}, "example.com",
			"__Host-session", true, http.SameSiteStrictMode, 0},
		{"a persistent cookie lives until the absolute deadline", authn.SessionConfig{PersistentCookie: true}, "example.com",
			"__Host-session", true, http.SameSiteLaxMode, 86400},
		{"insecure mode drops Secure and the prefix on localhost", authn.SessionConfig{InsecureCookie: true}, "localhost:8080",
			"session", false, http.SameSiteLaxMode, 0},
		{"insecure mode works on 127.0.0.1", authn.SessionConfig{InsecureCookie: true}, "127.0.0.1:8080",
			"session", false, http.SameSiteLaxMode, 0},
		{"insecure mode works on [::1]", authn.SessionConfig{InsecureCookie: true}, "[::1]:8080",
			"session", false, http.SameSiteLaxMode, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := authn.MustNewSessions(tc.cfg)
			r := httptest.NewRequest("POST", "http://"+tc.host+"/login", nil)
			w := httptest.NewRecorder()
			_, err := m.Create(w, r, authn.SessionLogin{UserID: "alice"})
			require.NoError(t, err)
			raw := w.Header().Values("Set-Cookie")
			require.Len(t, raw, 1)
			c, err := http.ParseSetCookie(raw[0])
			require.NoError(t, err)
			require.Equal(t, tc.wantName, c.Name)
			require.Equal(t, tc.wantName, m.CookieName())
			require.Len(t, c.Value, 43)
			require.Equal(t, "/", c.Path)
			require.Empty(t, c.Domain, "__Host- cookies must not have a Domain")
			require.True(t, c.HttpOnly, "HttpOnly")
			require.Equal(t, tc.secure, c.Secure, "Secure")
			require.Equal(t, tc.sameSite, c.SameSite)
			require.Equal(t, tc.maxAge, c.MaxAge)
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		})
	}
}

func TestSessionInsecureCookieRefusesPublicHosts(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{InsecureCookie: true})
	for _, host := range []string{"example.com", "10.0.0.5:8080", "localhost.example.com", "[2001:db8::1]:80"} {
		r := httptest.NewRequest("POST", "http://"+host+"/login", nil)
		w := httptest.NewRecorder()
		_, err := m.Create(w, r, authn.SessionLogin{UserID: "alice"})
		require.ErrorIs(t, err, authn.ErrSessionInsecureHost, "host %s", host)
		require.Empty(t, w.Header().Values("Set-Cookie"), "host %s", host)
	}
}

// --- Configuration ---

func TestNewSessionsRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   authn.SessionConfig
		field string
	}{
		{"negative idle timeout", authn.SessionConfig{IdleTimeout: -1}, "IdleTimeout"},
		{"sub-second idle timeout", authn.SessionConfig{IdleTimeout: time.Millisecond}, "IdleTimeout"},
		{"negative absolute timeout", authn.SessionConfig{AbsoluteTimeout: -1}, "AbsoluteTimeout"},
		{"absolute shorter than idle", authn.SessionConfig{IdleTimeout: 2 * time.Hour, AbsoluteTimeout: time.Hour}, "AbsoluteTimeout"},
		{"touch interval as long as idle", authn.SessionConfig{IdleTimeout: time.Minute, TouchInterval: time.Minute}, "TouchInterval"},
		{"negative touch interval", authn.SessionConfig{TouchInterval: -time.Second}, "TouchInterval"},
		{"negative per-user cap", authn.SessionConfig{MaxSessionsPerUser: -1}, "MaxSessionsPerUser"},
		{"huge per-user cap", authn.SessionConfig{MaxSessionsPerUser: 1 << 20}, "MaxSessionsPerUser"},
		{"huge data limit", authn.SessionConfig{MaxDataBytes: 1 << 20}, "MaxDataBytes"},
		{"cookie name with a space", authn.SessionConfig{CookieName: "my session"}, "CookieName"},
		{"cookie name with the __Secure- prefix", authn.SessionConfig{CookieName: "__Secure-s"}, "CookieName"},
		{"same-site none", authn.SessionConfig{CookieSameSite: http.SameSiteNoneMode}, "CookieSameSite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := authn.NewSessions(tc.cfg)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}

// --- Lifecycle ---

func TestSessionLoginPreventsFixation(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{})
	planted := h.login(t, "attacker") // a valid session the attacker knows
	for _, tc := range []struct {
		name   string
		cookie string
	}{
		{"a valid planted session", planted},
		{"an unknown well-formed token", strings.Repeat("A", 43)},
		{"garbage", "not-a-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.login(t, "alice", h.m.CookieName()+"="+tc.cookie)
			require.NotEqual(t, tc.cookie, got, "the token after login must be new")
			user, _ := h.whoami(t, got)
			require.Equal(t, "alice", user)
			user, _ = h.whoami(t, tc.cookie)
			require.Empty(t, user, "the planted token must not authenticate anyone after login")
		})
	}
}

func TestSessionTimeoutsThroughMiddleware(t *testing.T) {
	type step struct {
		advance time.Duration
		want    string // user, or "" for anonymous
		reason  authn.SessionReason
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"regular use keeps a session alive beyond one idle period", []step{
			{advance: 50 * time.Minute, want: "alice"},
			{advance: 50 * time.Minute, want: "alice"},
			{advance: 50 * time.Minute, want: "alice"},
			{advance: 61 * time.Minute, want: "", reason: authn.SessionReasonIdle},
		}},
		{"an hour of inactivity ends the session", []step{
			{advance: 59 * time.Minute, want: "alice"},
			{advance: 60 * time.Minute, want: "", reason: authn.SessionReasonIdle},
			{advance: 0, want: "", reason: authn.SessionReasonIdle},
		}},
		{"24 hours after login the session ends however busy", func() []step {
			var s []step
			for range 24 {
				s = append(s, step{advance: 59 * time.Minute, want: "alice"})
			}
			return append(s, step{advance: 59 * time.Minute, want: "", reason: authn.SessionReasonAbsolute})
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newSessionHarness(t, authn.SessionConfig{})
			tok := h.login(t, "alice")
			for i, st := range tc.steps {
				h.clock.Advance(st.advance)
				user, w := h.whoami(t, tok)
				require.Equal(t, st.want, user, "step %d", i)
				reasons := h.invalid.take()
				if st.reason == 0 {
					require.Empty(t, reasons, "step %d", i)
					continue
				}
				require.Equal(t, []authn.SessionReason{st.reason}, reasons, "step %d", i)
				c := w.Result().Cookies()
				require.Len(t, c, 1, "a refused cookie is deleted")
				require.Equal(t, -1, c[0].MaxAge)
			}
		})
	}
}

func TestSessionRefusalsLookAlikeToTheClient(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{})
	revoked := h.login(t, "bob")
	_, err := h.m.RevokeAllForUser(context.Background(), "bob", authn.SessionID{})
	require.NoError(t, err)
	expired := h.login(t, "carol")
	h.clock.Advance(2 * time.Hour)

	var bodies, cookies []string
	for _, tok := range []string{revoked, expired, strings.Repeat("A", 43), "%%%"} {
		user, w := h.whoami(t, tok)
		require.Empty(t, user)
		bodies = append(bodies, w.Body.String())
		cookies = append(cookies, strings.Join(w.Header().Values("Set-Cookie"), "|"))
	}
	for i := range bodies {
		require.Equal(t, bodies[0], bodies[i])
		require.Equal(t, cookies[0], cookies[i])
	}
	require.Equal(t, []authn.SessionReason{
		authn.SessionReasonUnknown, authn.SessionReasonIdle, authn.SessionReasonUnknown, authn.SessionReasonMalformed,
	}, h.invalid.take())
}

func TestSessionRotate(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{})
	var rotated authn.Session
	rotate := h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		rotated, err = h.m.Rotate(w, r, authn.SessionChange{AddMethods: authn.SessionTOTP, Data: map[string]string{"role": "admin"}})
		require.NoError(t, err)
	}))
	tok := h.login(t, "alice")
	created := h.clock.Now()
	h.clock.Advance(10 * time.Minute)

	r := httptest.NewRequest("POST", "https://example.com/mfa", nil)
	r.Header.Set("Cookie", h.m.CookieName()+"="+tok)
	w := httptest.NewRecorder()
	rotate.ServeHTTP(w, r)
	next := sessionCookieFrom(t, w, h.m.CookieName())

	require.NotEqual(t, tok, next)
	require.Equal(t, authn.SessionPassword|authn.SessionTOTP, rotated.Methods)
	require.Equal(t, 2, rotated.Methods.MFALevel())
	require.True(t, rotated.AuthTime.Equal(h.clock.Now()), "AuthTime is reset by a new method")
	require.True(t, rotated.CreatedAt.Equal(created), "CreatedAt is kept")
	require.True(t, rotated.ExpiresAt.Equal(created.Add(24*time.Hour)), "the absolute deadline is kept")
	require.Equal(t, "admin", rotated.Data["role"])

	user, _ := h.whoami(t, tok)
	require.Empty(t, user, "the old token dies at rotation")
	user, _ = h.whoami(t, next)
	require.Equal(t, "alice", user)

	// A second rotation with the old token fails.
	w = httptest.NewRecorder()
	var err error
	h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err = h.m.Rotate(w, r, authn.SessionChange{})
	})).ServeHTTP(w, r)
	require.ErrorIs(t, err, authn.ErrSessionInvalid)
}

func TestSessionRevokeLogsOut(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{})
	tok := h.login(t, "alice")
	r := httptest.NewRequest("POST", "https://example.com/logout", nil)
	r.Header.Set("Cookie", h.m.CookieName()+"="+tok)
	w := httptest.NewRecorder()
	require.NoError(t, h.m.Revoke(w, r))
	c := w.Result().Cookies()
	require.Len(t, c, 1)
	require.Equal(t, h.m.CookieName(), c[0].Name)
	require.Equal(t, -1, c[0].MaxAge)
	user, _ := h.whoami(t, tok)
	require.Empty(t, user)
}

func TestSessionRevokeAllForUserKeepsTheCurrentOne(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{})
	ctx := context.Background()
	laptop, phone, tablet := h.login(t, "alice"), h.login(t, "alice"), h.login(t, "alice")
	other := h.login(t, "bob")
	s, err := h.m.Validate(ctx, phone)
	require.NoError(t, err)

	n, err := h.m.RevokeAllForUser(ctx, "alice", s.ID)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, tc := range []struct{ tok, want string }{{laptop, ""}, {phone, "alice"}, {tablet, ""}, {other, "bob"}} {
		user, _ := h.whoami(t, tc.tok)
		require.Equal(t, tc.want, user)
	}
	list, err := h.m.List(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, s.ID, list[0].ID)

	ok, err := h.m.RevokeID(ctx, "bob", s.ID)
	require.NoError(t, err)
	require.False(t, ok, "bob cannot revoke alice's session by ID")
	ok, err = h.m.RevokeID(ctx, "alice", s.ID)
	require.NoError(t, err)
	require.True(t, ok)
	user, _ := h.whoami(t, phone)
	require.Empty(t, user)
}

func TestSessionListShowsDevices(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	r := httptest.NewRequest("POST", "https://example.com/login", nil)
	r.RemoteAddr = "198.51.100.9:51234"
	r.Header.Set("User-Agent", "Firefox/140 "+strings.Repeat("x", 1000))
	_, err := m.Create(httptest.NewRecorder(), r, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	list, err := m.List(context.Background(), "alice")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "198.51.100.9", list[0].IP)
	require.True(t, strings.HasPrefix(list[0].UserAgent, "Firefox/140 "))
	require.Len(t, list[0].UserAgent, 256, "User-Agent is truncated")
}

// TestSessionUserAgentTruncationKeepsValidText: an invalid byte early in a
// long User-Agent is dropped, not taken as a reason to cut the rest, and a
// character split by the limit is dropped whole.
func TestSessionUserAgentTruncationKeepsValidText(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	for _, tc := range []struct{ name, ua, want string }{
		{"an invalid byte early", "Fire\xfffox/140 " + strings.Repeat("x", 1000), "Firefox/140 " + strings.Repeat("x", 243)},
		{"a character split at the limit", strings.Repeat("x", 255) + "é" + strings.Repeat("y", 10), strings.Repeat("x", 255)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "https://example.com/login", nil)
			r.Header.Set("User-Agent", tc.ua)
			_, s, err := m.Issue(context.Background(), r, authn.SessionLogin{UserID: "alice"})
			require.NoError(t, err)
			require.Equal(t, tc.want, s.UserAgent)
		})
	}
}

// TestSessionListRecordsNoAddressForAUnixSocketPeer: on a Unix-socket
// listener RemoteAddr is a name the client chose, which may look like an
// address; the default ClientIP must not record it as one.
func TestSessionListRecordsNoAddressForAUnixSocketPeer(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	r := httptest.NewRequest("POST", "https://example.com/login", nil)
	r.RemoteAddr = "10.9.9.9:1"
	la := &net.UnixAddr{Name: "/run/app.sock", Net: "unix"}
	r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, la))
	_, err := m.Create(httptest.NewRecorder(), r, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	list, err := m.List(context.Background(), "alice")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Empty(t, list[0].IP)
}

func TestSessionDataIsBounded(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{MaxDataBytes: 64})
	for _, tc := range []struct {
		name  string
		login authn.SessionLogin
		want  error
	}{
		{"data within the limit", authn.SessionLogin{UserID: "a", Data: map[string]string{"k": strings.Repeat("v", 63)}}, nil},
		{"data over the limit", authn.SessionLogin{UserID: "a", Data: map[string]string{"k": strings.Repeat("v", 64)}}, authn.ErrSessionDataTooLarge},
		{"a very long user ID", authn.SessionLogin{UserID: strings.Repeat("u", 257)}, authn.ErrSessionDataTooLarge},
		{"a UTF-8 value", authn.SessionLogin{UserID: "a", Data: map[string]string{"name": "Zoë"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := m.Issue(context.Background(), nil, tc.login)
			if tc.want == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
	_, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{})
	require.Error(t, err, "a session needs a user")
	_, _, err = m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "a", Methods: 1 << 15})
	require.Error(t, err, "unknown method bits are refused")

	// Stores keep Data as JSON, which would silently replace invalid
	// UTF-8 with U+FFFD: such data is refused rather than altered.
	for _, data := range []map[string]string{{"k": "caf\xe9"}, {"\xff": "v"}} {
		_, _, err = m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "a", Data: data})
		require.Error(t, err, "Data %q is not valid UTF-8", data)
	}
}

// --- Bearer tokens ---

func TestSessionBearerTokensAreOptIn(t *testing.T) {
	for _, allow := range []bool{false, true} {
		h := newSessionHarness(t, authn.SessionConfig{AllowBearer: allow})
		tok, _, err := h.m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "api"})
		require.NoError(t, err)
		r := httptest.NewRequest("GET", "https://example.com/whoami", nil)
		r.Header.Set("Authorization", "Bearer "+tok.Reveal())
		w := httptest.NewRecorder()
		h.handler.ServeHTTP(w, r)
		if allow {
			require.Equal(t, "api", w.Body.String())
		} else {
			require.Empty(t, w.Body.String())
		}
		require.Empty(t, w.Header().Values("Set-Cookie"), "bearer requests never get cookies")
	}
}

// --- Store failure ---

// sessionFailingStore fails every call.
type sessionFailingStore struct{ authn.SessionStore }

var errSessionStoreDown = errors.New("store down")

func (sessionFailingStore) Validate(context.Context, authn.SessionID, time.Time, authn.SessionLimits) (authn.Session, authn.SessionReason, error) {
	return authn.Session{}, 0, errSessionStoreDown
}

func TestSessionStoreFailureFailsClosed(t *testing.T) {
	h := newSessionHarness(t, authn.SessionConfig{Store: sessionFailingStore{}})
	_, w := h.whoami(t, strings.Repeat("A", 43))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.NotContains(t, w.Body.String(), "store down")
	require.Equal(t, []authn.SessionReason{authn.SessionReasonStore}, h.invalid.take())
}

func TestSessionBearerChallenge(t *testing.T) {
	for _, tc := range []struct {
		name  string
		allow bool
		want  string
	}{
		{"a bearer API names the Bearer scheme in its 401", true, `Bearer realm="api"`},
		{"a cookie-only app sends no challenge", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := authn.MustNewSessions(authn.SessionConfig{AllowBearer: tc.allow})
			w := httptest.NewRecorder()
			m.RequireAuth(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			require.Equal(t, http.StatusUnauthorized, w.Code)
			require.Equal(t, tc.want, w.Header().Get("WWW-Authenticate"))
		})
	}
}
