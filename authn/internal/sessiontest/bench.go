package sessiontest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
)

// RunMiddlewareBenchmark measures the validate path of a request with a
// valid session cookie, among other cookies, through
// authn.Sessions.Middleware with store st: cookie read, token parse and
// hash, store lookup with throttled touch, and the Principal in the
// context.
func RunMiddlewareBenchmark(b *testing.B, st authn.SessionStore) {
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
