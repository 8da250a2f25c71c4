package ratelimit_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// signIn builds the sign-in limiter of the package doc: 10 per 15 minutes
// per IP, 5 per 15 minutes per account (the hashed email field).
func signIn(t *testing.T, store ratelimit.Store, cfg ratelimit.Config) http.Handler {
	t.Helper()
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	require.NoError(t, err)
	emailKey, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret})
	require.NoError(t, err)
	cfg.Store = store
	cfg.Rules = []ratelimit.Rule{
		{Name: "signin-ip", Limit: ratelimit.Per(10, 15*time.Minute), Key: ipKey},
		{Name: "signin-account", Limit: ratelimit.Per(5, 15*time.Minute), Key: emailKey},
	}
	l, err := ratelimit.New(cfg)
	require.NoError(t, err)
	return l.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("welcome " + r.PostFormValue("email")))
	}))
}

func post(h http.Handler, ip, email string) *httptest.ResponseRecorder {
	form := url.Values{"email": {email}}
	r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestLimiterSignInSequence(t *testing.T) {
	clock := newTestClock()
	h := signIn(t, ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now}), ratelimit.Config{})
	const policy = `"signin-ip";q=10;w=900, "signin-account";q=5;w=900`

	type step struct {
		advance    time.Duration
		ip, email  string
		code       int
		rateLimit  string // RateLimit header
		retryAfter string
		body       string
	}
	steps := []step{
		{ip: "203.0.113.1", email: "alice@example.com", code: 200, rateLimit: `"signin-ip";r=9;t=90, "signin-account";r=4;t=180`, body: "welcome alice@example.com"},
		{ip: "203.0.113.1", email: "Alice@Example.com ", code: 200, rateLimit: `"signin-ip";r=8;t=180, "signin-account";r=3;t=360`},
		{ip: "203.0.113.2", email: "alice@example.com", code: 200, rateLimit: `"signin-ip";r=9;t=90, "signin-account";r=2;t=540`},
		{ip: "203.0.113.2", email: "alice@example.com", code: 200, rateLimit: `"signin-ip";r=8;t=180, "signin-account";r=1;t=720`},
		{ip: "203.0.113.3", email: "alice@example.com", code: 200, rateLimit: `"signin-ip";r=9;t=90, "signin-account";r=0;t=900`},
		// The account is exhausted from every IP, and the IP is charged.
		{ip: "203.0.113.4", email: "alice@example.com", code: 429, rateLimit: `"signin-ip";r=9;t=90, "signin-account";r=0;t=900`, retryAfter: "180", body: "Too Many Requests\n"},
		// Another account from the same IP is fine.
		{ip: "203.0.113.4", email: "bob@example.com", code: 200, rateLimit: `"signin-ip";r=8;t=180, "signin-account";r=4;t=180`},
		// After one interval of the account rule, one more attempt.
		{advance: 180 * time.Second, ip: "203.0.113.5", email: "alice@example.com", code: 200, rateLimit: `"signin-ip";r=9;t=90, "signin-account";r=0;t=900`},
		// A request without the field skips the account rule.
		{ip: "203.0.113.5", email: "", code: 200, rateLimit: `"signin-ip";r=8;t=180`},
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		w := post(h, s.ip, s.email)
		require.Equal(t, s.code, w.Code, "step %d: status", i)
		assert.Equal(t, policy, w.Header().Get("RateLimit-Policy"), "step %d", i)
		assert.Equal(t, s.rateLimit, w.Header().Get("RateLimit"), "step %d", i)
		assert.Equal(t, s.retryAfter, w.Header().Get("Retry-After"), "step %d", i)
		if s.body != "" {
			assert.Equal(t, s.body, w.Body.String(), "step %d", i)
		}
	}
}

func TestLimiterIPRuleComesFirst(t *testing.T) {
	clock := newTestClock()
	h := signIn(t, ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now}), ratelimit.Config{})
	// One IP spraying many accounts hits the IP limit after 10 attempts.
	for i := range 10 {
		w := post(h, "198.51.100.7", "user"+string(rune('a'+i))+"@example.com")
		require.Equal(t, 200, w.Code, "attempt %d", i)
	}
	w := post(h, "198.51.100.7", "fresh@example.com")
	require.Equal(t, 429, w.Code)
	assert.Equal(t, "90", w.Header().Get("Retry-After"))
	// Only the IP rule ran: the account of the denied attempt was not charged.
	assert.Equal(t, `"signin-ip";r=0;t=900`, w.Header().Get("RateLimit"))
	w = post(h, "198.51.100.8", "fresh@example.com")
	assert.Equal(t, `"signin-ip";r=9;t=90, "signin-account";r=4;t=180`, w.Header().Get("RateLimit"))
}

func TestLimiterHooksAndCustomHandlers(t *testing.T) {
	clock := newTestClock()
	var limited atomic.Int32
	var gotRule string
	cfg := ratelimit.Config{
		OnLimited: func(r *http.Request, d ratelimit.Decision) {
			limited.Add(1)
			gotRule = d.Rule
		},
		LimitedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, ok := ratelimit.FromContext(r.Context())
			require.True(t, ok)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte("slow down, retry in " + d.RetryAfter.String()))
		}),
		OmitHeaders: true,
	}
	h := signIn(t, ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now}), cfg)
	for range 5 {
		require.Equal(t, 200, post(h, "192.0.2.1", "carol@example.com").Code)
	}
	w := post(h, "192.0.2.1", "carol@example.com")
	require.Equal(t, 429, w.Code)
	assert.Equal(t, "slow down, retry in 3m0s", w.Body.String())
	assert.Equal(t, "180", w.Header().Get("Retry-After"), "Retry-After is sent even with OmitHeaders")
	assert.Empty(t, w.Header().Get("RateLimit"))
	assert.Empty(t, w.Header().Get("RateLimit-Policy"))
	assert.Equal(t, int32(1), limited.Load())
	assert.Equal(t, "signin-account", gotRule)
	_, ok := ratelimit.FromContext(context.Background())
	assert.False(t, ok)
}

// brokenStore stands in for a store whose backend is down; the real
// failure (a Redis server killed mid-traffic) is tested in redisstore.
type brokenStore struct{ err error }

func (b brokenStore) Allow(context.Context, string, ratelimit.Limit, int) (ratelimit.Result, error) {
	return ratelimit.Result{}, b.err
}

func TestLimiterStoreFailure(t *testing.T) {
	backendErr := errors.New("connection refused")
	tests := []struct {
		name     string
		failOpen bool
		code     int
		body     string
	}{
		{"a store failure fails closed with 503 by default", false, 503, "Service Unavailable\n"},
		{"a store failure passes the request under InsecureFailOpen", true, 200, "welcome dave@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hookErr error
			h := signIn(t, brokenStore{backendErr}, ratelimit.Config{
				InsecureFailOpen: tt.failOpen,
				OnError:          func(r *http.Request, err error) { hookErr = err },
			})
			w := post(h, "192.0.2.9", "dave@example.com")
			require.Equal(t, tt.code, w.Code)
			assert.Equal(t, tt.body, w.Body.String())
			require.ErrorIs(t, hookErr, ratelimit.ErrUnavailable)
			require.ErrorIs(t, hookErr, backendErr)
			assert.NotContains(t, w.Body.String(), "refused", "internals leaked")
			assert.Empty(t, w.Header().Get("Retry-After"))
		})
	}
}

func TestLimiterCustomUnavailableHandlerSeesTheFailure(t *testing.T) {
	backendErr := errors.New("connection refused")
	h := signIn(t, brokenStore{backendErr}, ratelimit.Config{
		UnavailableHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, ok := ratelimit.FromContext(r.Context())
			require.True(t, ok)
			assert.False(t, d.Allowed)
			assert.ErrorIs(t, d.Err, ratelimit.ErrUnavailable)
			assert.ErrorIs(t, d.Err, backendErr)
			http.Error(w, "try again shortly", http.StatusServiceUnavailable)
		}),
	})
	w := post(h, "192.0.2.9", "dave@example.com")
	require.Equal(t, 503, w.Code)
	assert.Equal(t, "try again shortly\n", w.Body.String())
}

func TestLimiterCheck(t *testing.T) {
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	require.NoError(t, err)
	l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{
		{Name: "api", Limit: ratelimit.PerMinute(10), Key: ipKey, Cost: 4},
	}})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	d, err := l.Check(r)
	require.NoError(t, err)
	require.True(t, d.Allowed)
	require.Len(t, d.Results, 1)
	assert.Equal(t, 6, d.Results[0].Remaining)
	_, err = l.Check(r)
	require.NoError(t, err)
	d, err = l.Check(r)
	require.ErrorIs(t, err, ratelimit.ErrLimited)
	assert.False(t, d.Allowed)
	assert.Equal(t, "api", d.Rule)
	assert.Positive(t, d.RetryAfter)
}

func TestNewRejectsBadConfig(t *testing.T) {
	key := func(*http.Request) (string, bool) { return "k", true }
	ok := ratelimit.Rule{Name: "ok", Limit: ratelimit.PerMinute(5), Key: key}
	with := func(f func(*ratelimit.Rule)) ratelimit.Rule { r := ok; f(&r); return r }
	many := make([]ratelimit.Rule, 17)
	for i := range many {
		many[i] = with(func(r *ratelimit.Rule) { r.Name = "r" + string(rune('a'+i)) })
	}
	tests := []struct {
		name  string
		rules []ratelimit.Rule
		want  string
	}{
		{"no rules", nil, "Config.Rules is empty"},
		{"too many rules", many, "at most 16"},
		{"an empty name", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Name = "" })}, "Rules[0].Name"},
		{"a name with a quote", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Name = `a"b` })}, "Rules[0].Name"},
		{"an upper-case name", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Name = "IP" })}, "Rules[0].Name"},
		{"a duplicate name", []ratelimit.Rule{ok, ok}, `Rules[1].Name "ok" is used twice`},
		{"an invalid limit", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Limit = ratelimit.Limit{} })}, "Rules[0].Limit"},
		{"a nil key", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Key = nil })}, "Rules[0].Key"},
		{"a cost above the burst", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Cost = 6 })}, "Rules[0].Cost"},
		{"a negative cost", []ratelimit.Rule{with(func(r *ratelimit.Rule) { r.Cost = -1 })}, "Rules[0].Cost"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ratelimit.New(ratelimit.Config{Rules: tt.rules})
			require.ErrorContains(t, err, tt.want)
		})
	}
	require.Panics(t, func() { ratelimit.MustNew(ratelimit.Config{}) })
}

// A Limiter that New did not build has no rules; it must not admit
// everything silently.
func TestZeroLimiterFailsClosed(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/signin", nil)
	for name, l := range map[string]*ratelimit.Limiter{"zero": {}, "nil": nil} {
		d, err := l.Check(r)
		require.ErrorIs(t, err, ratelimit.ErrUnavailable, "%s Limiter", name)
		assert.False(t, d.Allowed, "%s Limiter", name)
		assert.Panics(t, func() { l.Handler(http.NotFoundHandler()) }, "%s Limiter", name)
	}
}

// TestLimiterDecisionsKeptByHooksStayIntact keeps the Decision handed to
// OnLimited and to the LimitedHandler, makes more requests, and checks the
// kept results did not change: the Handler evaluates rules into a buffer
// it reuses, and must hand out copies.
func TestLimiterDecisionsKeptByHooksStayIntact(t *testing.T) {
	clock := newTestClock()
	var fromHook, fromHandler ratelimit.Decision
	cfg := ratelimit.Config{
		OnLimited: func(_ *http.Request, d ratelimit.Decision) {
			if fromHook.Rule == "" {
				fromHook = d
			}
		},
		LimitedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if fromHandler.Rule == "" {
				fromHandler, _ = ratelimit.FromContext(r.Context())
			}
			w.WriteHeader(http.StatusTooManyRequests)
		}),
	}
	h := signIn(t, ratelimit.NewMemoryStore(ratelimit.MemoryConfig{Now: clock.Now}), cfg)
	for range 5 {
		require.Equal(t, 200, post(h, "192.0.2.1", "dave@example.com").Code)
	}
	require.Equal(t, 429, post(h, "192.0.2.1", "dave@example.com").Code)
	want := []ratelimit.RuleResult{
		{Rule: "signin-ip", Result: ratelimit.Result{Allowed: true, Remaining: 4, ResetAfter: 6 * 90 * time.Second}}, // 6 events, 90 s each,
		{Rule: "signin-account", Result: ratelimit.Result{Remaining: 0, RetryAfter: 180 * time.Second, ResetAfter: 900 * time.Second}},
	}
	require.Equal(t, want, fromHook.Results)
	require.Equal(t, want, fromHandler.Results)
	for range 3 { // other clients, other results, through the same Handler
		post(h, "192.0.2.2", "erin@example.com")
		post(h, "192.0.2.1", "dave@example.com")
	}
	assert.Equal(t, want, fromHook.Results, "a Decision kept by OnLimited changed under later requests")
	assert.Equal(t, want, fromHandler.Results, "a Decision kept by the LimitedHandler changed under later requests")
}

// TestLimiterHeadersAddedByTheHandlerDoNotLeak checks that a handler
// adding to, or editing in place, the header values the Limiter set does
// not change what later responses send.
func TestLimiterHeadersAddedByTheHandlerDoNotLeak(t *testing.T) {
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	require.NoError(t, err)
	l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{{Name: "ip", Limit: ratelimit.PerMinute(100), Key: ipKey}}})
	calls := 0
	h := l.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls++
		switch calls {
		case 1:
			w.Header().Add("RateLimit-Policy", `"extra";q=1;w=1`)
		case 2:
			w.Header().Values("RateLimit-Policy")[0] = "edited in place"
			w.Header().Values("RateLimit")[0] = "edited in place"
		}
	}))
	want := `"ip";q=100;w=60`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, []string{want, `"extra";q=1;w=1`}, w.Header().Values("RateLimit-Policy"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	require.Equal(t, []string{"edited in place"}, w.Header().Values("RateLimit-Policy"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, []string{want}, w.Header().Values("RateLimit-Policy"), "a value changed by an earlier handler leaked")
	assert.Equal(t, []string{`"ip";r=97;t=2`}, w.Header().Values("RateLimit"), "3 events of 0.6 s each spent")
}

// TestLimiterHandlerAllocations bounds the allocations of an admitted
// request through one IP rule: the client's key and the rule's key
// strings, and the RateLimit field value and its slice.
func TestLimiterHandlerAllocations(t *testing.T) {
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	require.NoError(t, err)
	l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{{Name: "ip", Limit: ratelimit.PerHour(1 << 30), Key: ipKey}}})
	h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	allocs := testing.AllocsPerRun(1000, func() { h.ServeHTTP(w, r) })
	assert.LessOrEqual(t, allocs, 4.0)
}
