package tenant

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
)

// memKey identifies one membership in memMembers.
type memKey struct{ org, user string }

// memMembers is an in-memory Memberships backend that counts its calls.
type memMembers struct {
	roles map[memKey]Role
	calls atomic.Int64
	err   error
}

func (m *memMembers) Membership(_ context.Context, org, user string) (Role, bool, error) {
	m.calls.Add(1)
	if m.err != nil {
		return 0, false, m.err
	}
	r, ok := m.roles[memKey{org, user}]
	return r, ok, nil
}

var _ Memberships = (*memMembers)(nil)

// userHeader is where test requests carry their (already authenticated)
// user ID.
const userHeader = "X-Test-User"

func headerUser(r *http.Request) (string, bool) {
	u := r.Header.Get(userHeader)
	return u, u != ""
}

// fixture is the world most tests use: org "acme" with one member of each
// role, org "globex" with its own owner; "nina" is signed in but belongs to
// no organisation, and "initech" does not exist.
func fixture() *memMembers {
	return &memMembers{roles: map[memKey]Role{
		{"acme", "vera"}:   RoleViewer,
		{"acme", "mike"}:   RoleMember,
		{"acme", "ada"}:    RoleAdmin,
		{"acme", "olga"}:   RoleOwner,
		{"globex", "gina"}: RoleOwner,
	}}
}

func newGuard(t testing.TB, cfg Config) *Guard {
	t.Helper()
	if cfg.Memberships == nil {
		cfg.Memberships = fixture()
	}
	if cfg.UserID == nil {
		cfg.UserID = headerUser
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}
