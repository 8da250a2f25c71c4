package tenant

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZeroScope(t *testing.T) {
	var s Scope
	assert.True(t, s.IsZero())
	assert.Empty(t, s.OrgID())
	assert.Empty(t, s.UserID())
	assert.Equal(t, Role(0), s.Role())
	assert.False(t, s.Can(PermRead))
	_, bg := s.Background()
	assert.False(t, bg)
	assert.Equal(t, "no scope", s.String())
}

func TestContextAccessors(t *testing.T) {
	_, ok := FromContext(context.Background())
	assert.False(t, ok)
	assert.PanicsWithValue(t, "tenant: no Scope in context; is the handler behind the tenant middleware?", func() { MustFromContext(context.Background()) })
	assert.Panics(t, func() { NewContext(context.Background(), Scope{}) })

	// A value of the right type stored under another key is not a Scope.
	type otherKey struct{}
	ctx := context.WithValue(context.Background(), otherKey{}, &Scope{orgID: "acme", kind: kindRequest})
	_, ok = FromContext(ctx)
	assert.False(t, ok)

	g := newGuard(t, Config{})
	s, err := g.UnsafeBackgroundScope("acme", "nightly-export", RoleViewer)
	require.NoError(t, err)
	got, ok := FromContext(NewContext(context.Background(), s))
	require.True(t, ok)
	assert.Equal(t, s, got)
	assert.Equal(t, s, MustFromContext(NewContext(context.Background(), s)))
}

func TestUnsafeBackgroundScope(t *testing.T) {
	var got []Decision
	g := newGuard(t, Config{OnDecision: func(d Decision) { got = append(got, d) }})

	s, err := g.UnsafeBackgroundScope("acme", "invoice-run", RoleMember)
	require.NoError(t, err)
	assert.Equal(t, "acme", s.OrgID())
	assert.Empty(t, s.UserID(), "background scopes act for no user")
	assert.Equal(t, RoleMember, s.Role())
	job, bg := s.Background()
	assert.True(t, bg)
	assert.Equal(t, "invoice-run", job)
	assert.True(t, s.Can(PermWrite))
	assert.False(t, s.Can(PermManageMembers), "the job gets the role it asked for, not more")
	assert.Equal(t, "org=acme job=invoice-run role=member", s.String())

	require.Len(t, got, 1, "every background scope is reported")
	assert.Equal(t, Decision{Allowed: true, Reason: ReasonBackground, OrgID: "acme", Role: RoleMember, Job: "invoice-run"}, got[0])

	tests := []struct {
		name, org, job string
		role           Role
	}{
		{"malformed org", "acme/../globex", "job", RoleViewer},
		{"empty org", "", "job", RoleViewer},
		{"no job name", "acme", "", RoleViewer},
		{"zero role", "acme", "job", 0},
		{"out-of-range role", "acme", "job", RoleOwner + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			s, err := g.UnsafeBackgroundScope(tt.org, tt.job, tt.role)
			require.Error(t, err)
			assert.True(t, s.IsZero())
		})
	}
	assert.Len(t, got, 1, "refused background scopes are not reported as issued")
}

func TestRequestScopeString(t *testing.T) {
	s := Scope{orgID: "acme", actor: "ada", role: RoleAdmin, kind: kindRequest}
	assert.Equal(t, "org=acme user=ada role=admin", s.String())
}
