package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/tenant"
)

// testApp is a running app on an httptest server (127.0.0.1 only) with an
// injectable clock.
type testApp struct {
	*app
	srv   *httptest.Server
	clock *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testHasher keeps argon2id but with the smallest parameters, so tests
// that sign up many users stay fast.
var testHasher = authn.MustNewHasher(authn.HasherConfig{Memory: 1024, Time: 1, UnsafeWeakParameters: true})

type testOption func(*appConfig)

func newTestApp(t *testing.T, opts ...testOption) *testApp {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	s, _, err := loadSecrets(dir, func(string) string { return "" })
	require.NoError(t, err)
	clock := &testClock{t: time.Now()}
	cfg := appConfig{
		Log: slog.New(slog.DiscardHandler), Secrets: s, DataDir: dir,
		Local: true, InsecureCookie: true, Hasher: testHasher, Now: clock.Now,
	}
	if realBackend {
		in := realInfra(t)
		cfg.SessionStore = in.sessions
		cfg.DB, cfg.RateStore, cfg.TokenStore, cfg.NonceStore = in.db, in.rate, in.tokens, in.nonces
		cfg.TOTPReplay, cfg.TOTPAttempt = in.totpReplay, in.totpAttempt
	} else {
		d, err := openSQLite(ctx, filepath.Join(dir, "app.db"))
		require.NoError(t, err)
		t.Cleanup(func() { d.Close() })
		cfg.DB = d
	}
	for _, o := range opts {
		o(&cfg)
	}
	a, err := newApp(cfg)
	require.NoError(t, err)
	h, err := a.handler()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	a.cfg.PublicURL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		a.Close(context.Background())
	})
	return &testApp{app: a, srv: srv, clock: clock}
}

// client is a browser-like test client: a cookie jar and no automatic
// redirects, so tests see each status.
type client struct {
	t    *testing.T
	ta   *testApp
	http *http.Client
}

func (ta *testApp) client(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, ta: ta, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Location: resp.Header.Get("Location")}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.ta.srv.URL+path, nil)
	require.NoError(c.t, err)
	return c.do(req)
}

// post submits a form the way a browser does from one of the app's pages.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.ta.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// signUp creates an account and leaves the client signed in.
func (c *client) signUp(email, name, password string) response {
	c.t.Helper()
	return c.post("/signup", url.Values{"email": {email}, "name": {name}, "password": {password}})
}

func (c *client) signIn(email, password string) response {
	c.t.Helper()
	return c.post("/signin", url.Values{"email": {email}, "password": {password}})
}

// newUser signs a fresh client up and returns it with the user's ID.
func (ta *testApp) newUser(t *testing.T, email string) (*client, string) {
	t.Helper()
	c := ta.client(t)
	r := c.signUp(email, "Test User", testPassword)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	u, found, err := ta.db.userByEmail(context.Background(), email)
	require.NoError(t, err)
	require.True(t, found)
	return c, u.ID
}

// testPassword passes the policy (long, not common, not from context).
const testPassword = "correct horse battery staple 42"

var orgLink = regexp.MustCompile(`/orgs/([A-Za-z0-9_-]{22})`)

// createOrg creates an org as c and returns its ID.
func (c *client) createOrg(name string) string {
	c.t.Helper()
	r := c.post("/orgs", url.Values{"name": {name}})
	require.Equal(c.t, http.StatusSeeOther, r.Status, r.Body)
	m := orgLink.FindStringSubmatch(r.Location)
	require.NotNil(c.t, m, "redirect %q", r.Location)
	return m[1]
}

// addMember puts userID into orgID with role directly in the database, for
// tests about what members can do rather than how they joined.
func (ta *testApp) addMember(t *testing.T, orgID, userID string, role tenant.Role) {
	t.Helper()
	added, err := ta.db.addMember(context.Background(), orgID, userID, role)
	require.NoError(t, err)
	require.True(t, added)
}

var fragmentToken = regexp.MustCompile(`#([A-Za-z0-9_-]{43})`)

// lastOutboxToken returns the token in the newest outbox mail to addr.
func (ta *testApp) lastOutboxToken(t *testing.T, to string) string {
	t.Helper()
	for _, m := range ta.outbox.list() {
		if m.To == to {
			mm := fragmentToken.FindStringSubmatch(m.Link)
			require.NotNil(t, mm, "link %q", m.Link)
			return mm[1]
		}
	}
	t.Fatalf("no mail to %s", to)
	return ""
}
