package authn_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/internal/sessiontest"
)

// BenchmarkSessionMiddleware measures the validate path of a request with a
// valid session cookie through Sessions.Middleware with the memory store.
func BenchmarkSessionMiddleware(b *testing.B) {
	sessiontest.RunMiddlewareBenchmark(b, authn.NewMemorySessionStore())
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
