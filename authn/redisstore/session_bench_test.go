package redisstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
)

// BenchmarkSessionMiddlewareRedis measures a request with a valid session
// cookie through Sessions.Middleware with the Redis store: one EVALSHA per
// request (see TestSessionValidateIsOneRoundTrip).
func BenchmarkSessionMiddlewareRedis(b *testing.B) {
	st, _, _ := newSessionStore(b)
	m := authn.MustNewSessions(authn.SessionConfig{Store: st})
	tok, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice", Data: map[string]string{"org": "acme"}})
	if err != nil {
		b.Fatal(err)
	}
	var seen bool
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, seen = authn.PrincipalFromContext(r.Context())
	}))
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", m.CookieName()+"="+tok.Reveal())
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
	if !seen {
		b.Fatal("no principal")
	}
}
