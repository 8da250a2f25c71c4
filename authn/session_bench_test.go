package authn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
)

// BenchmarkSessionMiddleware measures the validate path of a request with a
// valid session cookie through Sessions.Middleware with the memory store:
// cookie read, token parse and hash, store lookup with throttled touch, and
// the Principal in the context.
func BenchmarkSessionMiddleware(b *testing.B) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	tok, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice", Data: map[string]string{"org": "acme"}})
	if err != nil {
		b.Fatal(err)
	}
	var seen bool
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, seen = authn.PrincipalFromContext(r.Context())
	}))
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", "_ga=GA1.1.123; "+m.CookieName()+"="+tok.Reveal()+"; theme=dark")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
	if !seen {
		b.Fatal("no principal")
	}
}

// BenchmarkSessionMiddlewareParallel is BenchmarkSessionMiddleware from all
// Ps at once, one session per goroutine.
func BenchmarkSessionMiddlewareParallel(b *testing.B) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		tok, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice"})
		if err != nil {
			b.Error(err)
			return
		}
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Cookie", m.CookieName()+"="+tok.Reveal())
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}

// BenchmarkSessionCreate measures a login: token generation, store insert
// with per-user pruning, and the Set-Cookie header.
func BenchmarkSessionCreate(b *testing.B) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	r := httptest.NewRequest("POST", "https://example.com/login", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		if _, err := m.Create(w, r, authn.SessionLogin{UserID: "alice"}); err != nil {
			b.Fatal(err)
		}
	}
}
