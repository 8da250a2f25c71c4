package tenant

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// okHandler records whether it ran and which scope it saw.
type okHandler struct {
	ran   bool
	scope Scope
}

func (h *okHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ran = true
	h.scope, _ = FromContext(r.Context())
	w.WriteHeader(http.StatusOK)
}

func serve(t *testing.T, g *Guard, mw func(http.Handler) http.Handler, pattern string, req *http.Request) (*httptest.ResponseRecorder, *okHandler) {
	t.Helper()
	h := &okHandler{}
	mux := http.NewServeMux()
	mux.Handle(pattern, mw(h))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec, h
}

func userReq(method, target, user string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	if user != "" {
		r.Header.Set(userHeader, user)
	}
	return r
}

func TestBackendFailureIsNeverAPass(t *testing.T) {
	secret := errors.New("dial tcp 10.0.0.5:5432: password authentication failed for user app")
	tests := []struct {
		name    string
		members Memberships
	}{
		{"backend error", &memMembers{err: secret}},
		{"backend error with a role", MembershipsFunc(func(context.Context, string, string) (Role, bool, error) {
			return RoleOwner, true, secret
		})},
		{"found with the zero role", MembershipsFunc(func(context.Context, string, string) (Role, bool, error) {
			return 0, true, nil
		})},
		{"found with an out-of-range role", MembershipsFunc(func(context.Context, string, string) (Role, bool, error) {
			return 200, true, nil
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name+" answers 500 without internals", func(t *testing.T) {
			var got []Decision
			g := newGuard(t, Config{Memberships: tt.members, OnDecision: func(d Decision) { got = append(got, d) }})
			rec, h := serve(t, g, g.Require(PermRead), "GET /orgs/{org}", userReq("GET", "/orgs/acme", "olga"))

			assert.False(t, h.ran, "handler must not run")
			assert.Equal(t, http.StatusInternalServerError, rec.Code)
			assert.Equal(t, "Internal Server Error\n", rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "10.0.0.5")
			require.Len(t, got, 1)
			assert.Equal(t, ReasonBackendError, got[0].Reason)
			assert.False(t, got[0].Allowed)
			require.ErrorIs(t, got[0].Err, ErrBackend)

			_, err := g.Authorize(userReq("GET", "/", "olga"), PermRead)
			require.Error(t, err)
		})
	}
}

func TestAuthorizeErrors(t *testing.T) {
	g := newGuard(t, Config{OrgHeader: "X-Org"})
	req := func(user, org string) *http.Request {
		r := userReq("GET", "/", user)
		if org != "" {
			r.Header.Set("X-Org", org)
		}
		return r
	}
	tests := []struct {
		name    string
		r       *http.Request
		perm    Permission
		wantErr error
		want    Role
	}{
		{"admin may manage members", req("ada", "acme"), PermManageMembers, nil, RoleAdmin},
		{"anonymous is unauthenticated", req("", "acme"), PermRead, ErrUnauthenticated, 0},
		{"non-member is not found", req("nina", "acme"), PermRead, ErrNotFound, 0},
		{"nonexistent org is not found", req("olga", "initech"), PermRead, ErrNotFound, 0},
		{"malformed org is not found", req("olga", "acme corp"), PermRead, ErrNotFound, 0},
		{"missing org header is not found", req("olga", ""), PermRead, ErrNotFound, 0},
		{"viewer may not write", req("vera", "acme"), PermWrite, ErrForbidden, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := g.Authorize(tt.r, tt.perm)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.True(t, s.IsZero(), "a denial returns the zero Scope")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "acme", s.OrgID())
			assert.Equal(t, tt.want, s.Role())
		})
	}

	s, err := g.AuthorizeRole(req("mike", "acme"), RoleAdmin)
	require.ErrorIs(t, err, ErrForbidden)
	assert.True(t, s.IsZero())
	s, err = g.AuthorizeRole(req("mike", "acme"), RoleMember)
	require.NoError(t, err)
	assert.Equal(t, RoleMember, s.Role())
}

func TestOrgFromHeader(t *testing.T) {
	g := newGuard(t, Config{OrgHeader: "x-org-id"})
	tests := []struct {
		name   string
		values []string
		want   int
	}{
		{"one header value is used", []string{"acme"}, http.StatusOK},
		{"missing header is 404", nil, http.StatusNotFound},
		{"empty header is 404", []string{""}, http.StatusNotFound},
		{"repeated header is ambiguous and 404", []string{"acme", "globex"}, http.StatusNotFound},
		{"repeated identical header is still 404", []string{"acme", "acme"}, http.StatusNotFound},
		{"comma-joined list is malformed and 404", []string{"acme,globex"}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := userReq("GET", "/projects", "olga")
			for _, v := range tt.values {
				r.Header.Add("X-Org-Id", v)
			}
			rec, h := serve(t, g, g.Require(PermRead), "GET /projects", r)
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.want == http.StatusOK, h.ran)
		})
	}
}

func TestOrgFromFunc(t *testing.T) {
	// Org from the subdomain, e.g. acme.example.com.
	g := newGuard(t, Config{OrgFunc: func(r *http.Request) (string, bool) {
		org, ok := strings.CutSuffix(r.Host, ".example.com")
		return org, ok
	}})
	r := userReq("GET", "http://acme.example.com/", "mike")
	rec, h := serve(t, g, g.Require(PermWrite), "GET /", r)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "acme", h.scope.OrgID())

	r = userReq("GET", "http://globex.example.com/", "mike")
	rec, _ = serve(t, g, g.Require(PermRead), "GET /", r)
	assert.Equal(t, http.StatusNotFound, rec.Code)

	r = userReq("GET", "http://evil.test/", "mike")
	rec, _ = serve(t, g, g.Require(PermRead), "GET /", r)
	assert.Equal(t, http.StatusNotFound, rec.Code, "OrgFunc reporting no org is a 404")
}

func TestCustomPathValueName(t *testing.T) {
	g := newGuard(t, Config{OrgPathValue: "company"})
	rec, h := serve(t, g, g.Require(PermRead), "GET /companies/{company}/x", userReq("GET", "/companies/acme/x", "vera"))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "acme", h.scope.OrgID())

	// Mounted on a pattern without the wildcard, every request is a 404:
	// fail closed rather than guess.
	rec, h = serve(t, g, g.Require(PermRead), "GET /orgs/{org}/x", userReq("GET", "/orgs/acme/x", "vera"))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.False(t, h.ran)
}

func TestMalformedOrgSkipsTheBackend(t *testing.T) {
	members := fixture()
	var got []Decision
	g := newGuard(t, Config{Memberships: members, OnDecision: func(d Decision) { got = append(got, d) }})
	// %0A decodes to a newline inside the path value.
	rec, _ := serve(t, g, g.Require(PermRead), "GET /orgs/{org}", userReq("GET", "/orgs/acme%0Aadmin", "olga"))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, int64(0), members.calls.Load())
	require.Len(t, got, 1)
	assert.Equal(t, ReasonInvalidOrg, got[0].Reason)
	assert.Empty(t, got[0].OrgID, "attacker-controlled org IDs stay out of the audit log")
}

func TestNestedGuardsReuseTheScope(t *testing.T) {
	members := fixture()
	g := newGuard(t, Config{Memberships: members})
	h := &okHandler{}
	mux := http.NewServeMux()
	mux.Handle("POST /orgs/{org}/members", g.Middleware(g.Require(PermManageMembers)(h)))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, userReq("POST", "/orgs/acme/members", "ada"))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, int64(1), members.calls.Load(), "the inner guard reuses the outer guard's lookup")

	members.calls.Store(0)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, userReq("POST", "/orgs/acme/members", "mike"))
	assert.Equal(t, http.StatusForbidden, rec.Code, "outer guard passes a member, inner one refuses")

	// A scope from another guard (another permission table) is not trusted.
	other := newGuard(t, Config{Memberships: members})
	members.calls.Store(0)
	h2 := &okHandler{}
	mux2 := http.NewServeMux()
	mux2.Handle("GET /orgs/{org}", other.Middleware(g.Require(PermRead)(h2)))
	rec = httptest.NewRecorder()
	mux2.ServeHTTP(rec, userReq("GET", "/orgs/acme", "vera"))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, int64(2), members.calls.Load())
}

func TestCustomDenyHandlers(t *testing.T) {
	mark := func(s string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte(s))
		})
	}
	g := newGuard(t, Config{
		UnauthenticatedHandler: mark("login"),
		NotFoundHandler:        mark("nf"),
		ForbiddenHandler:       mark("fb"),
		ErrorHandler:           mark("err"),
	})
	failing := newGuard(t, Config{Memberships: &memMembers{err: errors.New("down")}, ErrorHandler: mark("err")})
	tests := []struct {
		name string
		g    *Guard
		user string
		org  string
		perm Permission
		want string
	}{
		{"anonymous uses UnauthenticatedHandler", g, "", "acme", PermRead, "login"},
		{"non-member uses NotFoundHandler", g, "nina", "acme", PermRead, "nf"},
		{"nonexistent org uses NotFoundHandler", g, "olga", "initech", PermRead, "nf"},
		{"lacking permission uses ForbiddenHandler", g, "vera", "acme", PermWrite, "fb"},
		{"backend failure uses ErrorHandler", failing, "olga", "acme", PermRead, "err"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, h := serve(t, tt.g, tt.g.Require(tt.perm), "GET /orgs/{org}", userReq("GET", "/orgs/"+tt.org, tt.user))
			assert.False(t, h.ran)
			assert.Equal(t, tt.want, rec.Body.String())
		})
	}
}

func TestScopeContextKeepsCancellation(t *testing.T) {
	g := newGuard(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	type key struct{}
	ctx = context.WithValue(ctx, key{}, "outer value")
	var inner context.Context
	h := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { inner = r.Context() })
	mux := http.NewServeMux()
	mux.Handle("GET /orgs/{org}", g.Require(PermRead)(h))
	mux.ServeHTTP(httptest.NewRecorder(), userReq("GET", "/orgs/acme", "vera").WithContext(ctx))
	require.NotNil(t, inner)

	assert.Equal(t, "outer value", inner.Value(key{}), "other values still reachable")
	child, stop := context.WithCancel(inner)
	defer stop()
	cancel()
	<-inner.Done()
	<-child.Done()
	assert.ErrorIs(t, inner.Err(), context.Canceled)
	assert.ErrorIs(t, child.Err(), context.Canceled)
	s, ok := FromContext(child)
	assert.True(t, ok, "scope visible through derived contexts")
	assert.Equal(t, RoleViewer, s.Role())
}
