package authn_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

type refreshHarness struct {
	sessions *authn.Sessions
	rt       *authn.RefreshTokens
	clock    *tokenClock
	invalid  *sessionInvalidLog
	api      http.Handler // echoes the principal's user
}

func newRefreshHarness(t *testing.T, cfg authn.RefreshConfig) *refreshHarness {
	t.Helper()
	h := &refreshHarness{clock: newSessionClock(), invalid: &sessionInvalidLog{}}
	h.sessions = authn.MustNewSessions(authn.SessionConfig{AllowBearer: true, Now: h.clock.Now})
	cfg.Sessions = h.sessions
	cfg.OnInvalid = h.invalid.hook
	rt, err := authn.NewRefreshTokens(cfg)
	require.NoError(t, err)
	h.rt = rt
	h.api = h.sessions.Middleware(h.sessions.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := authn.PrincipalFromContext(r.Context())
		_, _ = w.Write([]byte(p.UserID))
	})))
	return h
}

// call requests the API with an access token and returns the user it
// authenticates, or "" when refused.
func (h *refreshHarness) call(t *testing.T, access string) string {
	t.Helper()
	r := httptest.NewRequest("GET", "https://api.example.com/me", nil)
	r.Header.Set("Authorization", "Bearer "+access)
	w := httptest.NewRecorder()
	h.api.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		return ""
	}
	return w.Body.String()
}

// refresh posts a refresh cookie to the refresh endpoint.
func (h *refreshHarness) refresh(t *testing.T, refreshTok string) (*httptest.ResponseRecorder, string, string) {
	t.Helper()
	r := httptest.NewRequest("POST", "https://api.example.com/auth/refresh", nil)
	r.Header.Set("Cookie", h.rt.CookieName()+"="+refreshTok)
	w := httptest.NewRecorder()
	h.rt.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		return w, "", ""
	}
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Equal(t, "Bearer", body.TokenType)
	require.Equal(t, 900, body.ExpiresIn)
	return w, body.AccessToken, sessionCookieFrom(t, w, h.rt.CookieName())
}

func TestRefreshRotationAndReuseDetection(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{})
	g, err := h.rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice", Methods: authn.SessionPassword})
	require.NoError(t, err)
	access0, refresh0 := g.AccessToken.Reveal(), g.RefreshToken.Reveal()
	require.Equal(t, "alice", h.call(t, access0))

	h.clock.Advance(14 * time.Minute)
	_, access1, refresh1 := h.refresh(t, refresh0)
	require.NotEmpty(t, access1)
	require.NotEqual(t, refresh0, refresh1, "the refresh token rotates on every use")
	require.Equal(t, "alice", h.call(t, access1))
	require.Empty(t, h.call(t, access0), "the previous access token is revoked at refresh")

	// An attacker replays the stolen first refresh token.
	w, _, _ := h.refresh(t, refresh0)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.JSONEq(t, `{"error":"invalid_grant"}`, w.Body.String())
	require.Equal(t, []authn.SessionReason{authn.SessionReasonReused}, h.invalid.take())

	// The whole family is dead, including the legitimate client's tokens.
	require.Empty(t, h.call(t, access1), "the family's access token dies with it")
	w, _, _ = h.refresh(t, refresh1)
	require.Equal(t, http.StatusBadRequest, w.Code)
	require.Equal(t, []authn.SessionReason{authn.SessionReasonUnknown}, h.invalid.take())
}

func TestRefreshConcurrentUseOfOneTokenKillsTheFamily(t *testing.T) {
	for range 20 {
		h := newRefreshHarness(t, authn.RefreshConfig{})
		ctx := context.Background()
		g, err := h.rt.Issue(ctx, nil, authn.SessionLogin{UserID: "alice"})
		require.NoError(t, err)
		var (
			mu     sync.Mutex
			grants []authn.RefreshGrant
		)
		errs := raceCalls(2, func() error {
			g2, err := h.rt.Refresh(ctx, nil, g.RefreshToken.Reveal())
			if err == nil {
				mu.Lock()
				grants = append(grants, g2)
				mu.Unlock()
			}
			return err
		})
		errs = slices.DeleteFunc(errs, func(err error) bool { return err == nil })
		require.LessOrEqual(t, len(grants), 1, "at most one refresh succeeds")
		require.NotEmpty(t, errs)
		var reused bool
		for _, err := range errs {
			require.ErrorIs(t, err, authn.ErrRefreshInvalid)
			var inv *authn.RefreshInvalidError
			require.ErrorAs(t, err, &inv)
			reused = reused || inv.Reason == authn.SessionReasonReused
		}
		require.True(t, reused, "the second use is detected as reuse")
		for _, g2 := range grants {
			require.Empty(t, h.call(t, g2.AccessToken.Reveal()), "the winner's access token dies with the family")
			_, err := h.rt.Refresh(ctx, nil, g2.RefreshToken.Reveal())
			require.ErrorIs(t, err, authn.ErrRefreshInvalid, "the winner's refresh token dies with the family")
		}
		require.Empty(t, h.call(t, g.AccessToken.Reveal()))
	}
}

func TestRefreshAccessTokensInheritTheLogin(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{})
	g, err := h.rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice", Methods: authn.SessionPassword | authn.SessionTOTP})
	require.NoError(t, err)
	login := h.clock.Now()
	for range 3 {
		h.clock.Advance(14 * time.Minute)
		g, err = h.rt.Refresh(context.Background(), nil, g.RefreshToken.Reveal())
		require.NoError(t, err)
	}
	s, err := h.sessions.Validate(context.Background(), g.AccessToken.Reveal())
	require.NoError(t, err)
	require.True(t, s.AuthTime.Equal(login), "a refresh is not a re-authentication")
	require.Equal(t, 2, s.Methods.MFALevel())
	require.True(t, s.ExpiresAt.Equal(h.clock.Now().Add(15*time.Minute)))

	h.clock.Advance(15 * time.Minute)
	_, err = h.sessions.Validate(context.Background(), g.AccessToken.Reveal())
	require.ErrorIs(t, err, authn.ErrSessionInvalid, "access tokens are short-lived")
}

func TestRefreshFamilyTimeouts(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{})
	g, err := h.rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	h.clock.Advance(61 * time.Minute)
	_, err = h.rt.Refresh(context.Background(), nil, g.RefreshToken.Reveal())
	var inv *authn.RefreshInvalidError
	require.ErrorAs(t, err, &inv)
	require.Equal(t, authn.SessionReasonIdle, inv.Reason)
}

func TestRefreshRevokeAllForUser(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{})
	ctx := context.Background()
	a, err := h.rt.Issue(ctx, nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	b, err := h.rt.Issue(ctx, nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	o, err := h.rt.Issue(ctx, nil, authn.SessionLogin{UserID: "bob"})
	require.NoError(t, err)
	n, err := h.rt.RevokeAllForUser(ctx, "alice")
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, g := range []authn.RefreshGrant{a, b} {
		require.Empty(t, h.call(t, g.AccessToken.Reveal()))
		_, err := h.rt.Refresh(ctx, nil, g.RefreshToken.Reveal())
		require.ErrorIs(t, err, authn.ErrRefreshInvalid)
	}
	require.Equal(t, "bob", h.call(t, o.AccessToken.Reveal()))

	// Logout of one API client.
	r := httptest.NewRequest("POST", "https://api.example.com/auth/logout", nil)
	r.Header.Set("Cookie", h.rt.CookieName()+"="+o.RefreshToken.Reveal())
	w := httptest.NewRecorder()
	require.NoError(t, h.rt.RevokeRequest(w, r))
	require.Empty(t, h.call(t, o.AccessToken.Reveal()))
	c := w.Result().Cookies()
	require.Len(t, c, 1)
	require.Equal(t, -1, c[0].MaxAge)
}

func TestRefreshCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cfg      authn.RefreshConfig
		wantName string
		wantPath string
	}{
		{"the default cookie is __Host-refresh on /", authn.RefreshConfig{}, "__Host-refresh", "/"},
		{"a path-restricted cookie uses __Secure-", authn.RefreshConfig{CookiePath: "/auth/refresh"}, "__Secure-refresh", "/auth/refresh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newRefreshHarness(t, tc.cfg)
			g, err := h.rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice"})
			require.NoError(t, err)
			w := httptest.NewRecorder()
			require.NoError(t, h.rt.WriteGrant(w, g))
			raw := w.Header().Values("Set-Cookie")
			require.Len(t, raw, 1)
			c, err := http.ParseSetCookie(raw[0])
			require.NoError(t, err)
			require.Equal(t, tc.wantName, c.Name)
			require.Equal(t, tc.wantPath, c.Path)
			require.True(t, c.HttpOnly)
			require.True(t, c.Secure)
			require.Equal(t, http.SameSiteStrictMode, c.SameSite)
			require.Equal(t, 86400, c.MaxAge)
			require.Equal(t, "no-store", w.Header().Get("Cache-Control"))
			require.NotContains(t, w.Body.String(), g.RefreshToken.Reveal(), "the refresh token is not in the body")
		})
	}
}

func TestRefreshInsecureBodyDelivery(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{InsecureBodyDelivery: true})
	g, err := h.rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {g.RefreshToken.Reveal()}}
	r := httptest.NewRequest("POST", "https://api.example.com/auth/refresh", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.rt.Handler().ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	require.Empty(t, w.Header().Values("Set-Cookie"))
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	require.Len(t, body.RefreshToken, 43)
	require.Equal(t, "alice", h.call(t, body.AccessToken))
}

func TestRefreshHandlerRefusesAlike(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{})
	for _, tc := range []struct {
		name   string
		method string
		cookie string
		want   int
	}{
		{"a GET", "GET", strings.Repeat("A", 43), http.StatusMethodNotAllowed},
		{"no cookie", "POST", "", http.StatusBadRequest},
		{"an unknown token", "POST", strings.Repeat("A", 43), http.StatusBadRequest},
		{"a malformed token", "POST", "abc", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "https://api.example.com/auth/refresh", nil)
			if tc.cookie != "" {
				r.Header.Set("Cookie", h.rt.CookieName()+"="+tc.cookie)
			}
			w := httptest.NewRecorder()
			h.rt.Handler().ServeHTTP(w, r)
			require.Equal(t, tc.want, w.Code)
		})
	}
}

func TestNewRefreshTokensRejectsBadConfig(t *testing.T) {
	bearer := authn.MustNewSessions(authn.SessionConfig{AllowBearer: true})
	for _, tc := range []struct {
		name  string
		cfg   authn.RefreshConfig
		field string
	}{
		{"no sessions", authn.RefreshConfig{}, "Sessions"},
		{"sessions without bearer tokens", authn.RefreshConfig{Sessions: authn.MustNewSessions(authn.SessionConfig{})}, "AllowBearer"},
		{"sub-second access tokens", authn.RefreshConfig{Sessions: bearer, AccessTTL: time.Millisecond}, "AccessTTL"},
		{"access tokens outliving the idle timeout", authn.RefreshConfig{Sessions: bearer, AccessTTL: 2 * time.Hour}, "IdleTimeout"},
		{"absolute shorter than idle", authn.RefreshConfig{Sessions: bearer, AbsoluteTimeout: 30 * time.Minute}, "AbsoluteTimeout"},
		{"a relative cookie path", authn.RefreshConfig{Sessions: bearer, CookiePath: "auth"}, "CookiePath"},
		{"a bad cookie name", authn.RefreshConfig{Sessions: bearer, CookieName: "a b"}, "CookieName"},
		{"a negative family cap", authn.RefreshConfig{Sessions: bearer, MaxFamiliesPerUser: -1}, "MaxFamiliesPerUser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := authn.NewRefreshTokens(tc.cfg)
			require.ErrorContains(t, err, tc.field)
		})
	}
}

func TestRefreshInsecureCookieRefusesPublicHosts(t *testing.T) {
	h := newRefreshHarness(t, authn.RefreshConfig{InsecureCookie: true})
	ctx := context.Background()
	login := authn.SessionLogin{UserID: "alice"}

	t.Run("Issue refuses a public host and a missing request", func(t *testing.T) {
		for _, host := range []string{"example.com", "10.0.0.5:8080", "localhost.example.com", "[2001:db8::1]:80"} {
			_, err := h.rt.Issue(ctx, httptest.NewRequest("POST", "http://"+host+"/login", nil), login)
			require.ErrorIs(t, err, authn.ErrSessionInsecureHost, "host %s", host)
		}
		_, err := h.rt.Issue(ctx, nil, login)
		require.ErrorIs(t, err, authn.ErrSessionInsecureHost, "without a request the host cannot be checked")
	})

	t.Run("the refresh endpoint refuses a public host without consuming the token", func(t *testing.T) {
		g, err := h.rt.Issue(ctx, httptest.NewRequest("POST", "http://localhost:8080/login", nil), login)
		require.NoError(t, err)
		post := func(host string) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", "http://"+host+"/auth/refresh", nil)
			r.Header.Set("Cookie", h.rt.CookieName()+"="+g.RefreshToken.Reveal())
			w := httptest.NewRecorder()
			h.rt.Handler().ServeHTTP(w, r)
			return w
		}
		w := post("app.example.com")
		require.NotEqual(t, http.StatusOK, w.Code)
		require.NotContains(t, w.Body.String(), "access_token")
		for _, c := range w.Header().Values("Set-Cookie") {
			require.True(t, strings.HasPrefix(c, h.rt.CookieName()+"=;"), "a token cookie was sent over plain HTTP to a public host: %s", c)
		}
		require.Equal(t, http.StatusOK, post("localhost:8080").Code, "the refused request must not have used up the token")
	})
}
