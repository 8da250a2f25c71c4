package tenant

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// discardWriter is a ResponseWriter that allocates nothing per request.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// benchSetup returns the guarded handler and a request for org "acme" as
// user, with the path value already set as ServeMux would set it. The
// membership backend is the in-memory map from the fixture, which
// allocates nothing per lookup.
func benchSetup(tb testing.TB, cfg Config, perm Permission, user, org string) (http.Handler, *http.Request, *discardWriter) {
	g := newGuard(tb, cfg)
	var sink Scope
	h := g.Require(perm)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sink, _ = FromContext(r.Context())
	}))
	_ = sink
	r := httptest.NewRequest("GET", "/orgs/"+org+"/projects", nil)
	r.SetPathValue("org", org)
	r.Header.Set(userHeader, user)
	return h, r, &discardWriter{h: http.Header{}}
}

func BenchmarkRequire(b *testing.B) {
	cases := []struct {
		name, user, org string
		perm            Permission
		cfg             Config
	}{
		{"allow", "mike", "acme", PermWrite, Config{}},
		{"allow_with_decision_hook", "mike", "acme", PermWrite, Config{OnDecision: func(Decision) {}}},
		{"deny_not_member", "nina", "acme", PermRead, Config{}},
		{"deny_forbidden", "vera", "acme", PermWrite, Config{}},
		{"deny_malformed_org", "mike", "acme%20corp", PermRead, Config{}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h, r, w := benchSetup(b, c.cfg, c.perm, c.user, c.org)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkMembershipLookup is the in-memory lookup on its own, the
// baseline the middleware's cost is measured against.
func BenchmarkMembershipLookup(b *testing.B) {
	m := fixture()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, _ := m.Membership(ctx, "acme", "mike"); !ok {
			b.Fatal("lookup failed")
		}
	}
}

func BenchmarkScopeCan(b *testing.B) {
	g := newGuard(b, Config{})
	s := Scope{orgID: "acme", actor: "mike", role: RoleMember, kind: kindRequest, g: g}
	b.ReportAllocs()
	for b.Loop() {
		if !s.Can(PermWrite) {
			b.Fatal("member cannot write")
		}
	}
}

func BenchmarkFromContext(b *testing.B) {
	g := newGuard(b, Config{})
	s, _ := g.UnsafeBackgroundScope("acme", "bench", RoleMember)
	type otherKey struct{}
	ctx := NewContext(context.WithValue(context.Background(), otherKey{}, 1), s)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := FromContext(ctx); !ok {
			b.Fatal("no scope")
		}
	}
}

// TestAllowPathAllocations pins the promise benchmarked above: the allow
// path allocates at most twice (the scope-carrying context and the
// request copy made by WithContext), with the decision hook set.
func TestAllowPathAllocations(t *testing.T) {
	tests := []struct {
		name, user string
		perm       Permission
		max        float64
	}{
		{"allow", "mike", PermWrite, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, r, w := benchSetup(t, Config{OnDecision: func(Decision) {}}, tt.perm, tt.user, "acme")
			got := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
			if got > tt.max {
				t.Errorf("allocations per request = %v, want <= %v", got, tt.max)
			}
		})
	}
}

// BenchmarkBaseline is the least any middleware that hands a value to the
// next handler through the request context can cost with net/http: one
// context.WithValue and one Request.WithContext. The guard's allow path
// should be close to it plus the membership lookup.
func BenchmarkBaseline(b *testing.B) {
	type key struct{}
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	r := httptest.NewRequest("GET", "/orgs/acme/projects", nil)
	w := &discardWriter{h: http.Header{}}
	s := Scope{orgID: "acme", actor: "mike", role: RoleMember, kind: kindRequest}
	b.ReportAllocs()
	for b.Loop() {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, &s)))
	}
}
