package tenant

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadConfig(t *testing.T) {
	members := fixture()
	tests := []struct {
		name      string
		cfg       Config
		wantField string
	}{
		{"zero config names the missing backend", Config{}, "Config.Memberships"},
		{"missing user hook", Config{Memberships: members}, "Config.UserID"},
		{"path value and header both set", Config{Memberships: members, UserID: headerUser, OrgPathValue: "org", OrgHeader: "X-Org"}, "at most one"},
		{"header and func both set", Config{Memberships: members, UserID: headerUser, OrgHeader: "X-Org", OrgFunc: func(*http.Request) (string, bool) { return "", false }}, "at most one"},
		{"header name with a space", Config{Memberships: members, UserID: headerUser, OrgHeader: "X Org"}, "Config.OrgHeader"},
		{"header name with a colon", Config{Memberships: members, UserID: headerUser, OrgHeader: "X-Org:"}, "Config.OrgHeader"},
		{"path wildcard with braces", Config{Memberships: members, UserID: headerUser, OrgPathValue: "{org}"}, "Config.OrgPathValue"},
		{"path wildcard starting with a digit", Config{Memberships: members, UserID: headerUser, OrgPathValue: "1org"}, "Config.OrgPathValue"},
		{"empty permission table", Config{Memberships: members, UserID: headerUser, Permissions: map[Permission]Role{}}, "Config.Permissions"},
		{"permission with upper case", Config{Memberships: members, UserID: headerUser, Permissions: map[Permission]Role{"Read": RoleViewer}}, "Config.Permissions"},
		{"permission with a space", Config{Memberships: members, UserID: headerUser, Permissions: map[Permission]Role{"read all": RoleViewer}}, "Config.Permissions"},
		{"permission mapped to the zero role", Config{Memberships: members, UserID: headerUser, Permissions: map[Permission]Role{"read": 0}}, "Config.Permissions"},
		{"permission mapped to an out-of-range role", Config{Memberships: members, UserID: headerUser, Permissions: map[Permission]Role{"read": 7}}, "Config.Permissions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, g)
			assert.Contains(t, err.Error(), tt.wantField)
		})
	}
}

func TestDefaultPermissions(t *testing.T) {
	// The table promised in the documentation, written out independently.
	want := map[Permission]Role{
		"read":                RoleViewer,
		"write":               RoleMember,
		"members:manage":      RoleAdmin,
		"integrations:manage": RoleAdmin,
		"audit:view":          RoleAdmin,
		"billing:manage":      RoleOwner,
		"org:delete":          RoleOwner,
	}
	assert.Equal(t, want, DefaultPermissions())

	// Each call returns a fresh map: changing one does not change the next.
	d := DefaultPermissions()
	d[PermRead] = RoleOwner
	assert.Equal(t, RoleViewer, DefaultPermissions()[PermRead])
}

func TestScopeCanFollowsTheTable(t *testing.T) {
	g := newGuard(t, Config{})
	tests := []struct {
		role Role
		can  []Permission
		not  []Permission
	}{
		{RoleViewer, []Permission{PermRead}, []Permission{PermWrite, PermManageMembers, PermManageIntegrations, PermViewAudit, PermManageBilling, PermDeleteOrg}},
		{RoleMember, []Permission{PermRead, PermWrite}, []Permission{PermManageMembers, PermManageIntegrations, PermViewAudit, PermManageBilling, PermDeleteOrg}},
		{RoleAdmin, []Permission{PermRead, PermWrite, PermManageMembers, PermManageIntegrations, PermViewAudit}, []Permission{PermManageBilling, PermDeleteOrg}},
		{RoleOwner, []Permission{PermRead, PermWrite, PermManageMembers, PermManageIntegrations, PermViewAudit, PermManageBilling, PermDeleteOrg}, nil},
	}
	for _, tt := range tests {
		s := Scope{orgID: "acme", actor: "u", role: tt.role, kind: kindRequest, g: g}
		for _, p := range tt.can {
			assert.True(t, s.Can(p), "%v.Can(%s)", tt.role, p)
		}
		for _, p := range tt.not {
			assert.False(t, s.Can(p), "%v.Can(%s)", tt.role, p)
		}
		assert.False(t, s.Can("no:such-permission"), "unknown permissions are never granted")
	}
	assert.False(t, Scope{}.Can(PermRead), "the zero Scope can do nothing")
}

func TestCustomPermissionTable(t *testing.T) {
	perms := DefaultPermissions()
	perms["invoices:approve"] = RoleAdmin
	perms[PermWrite] = RoleAdmin // this app lets only admins write
	g := newGuard(t, Config{Permissions: perms})

	// The guard keeps its own copy.
	perms[PermWrite] = RoleViewer
	delete(perms, "invoices:approve")

	member := Scope{orgID: "acme", actor: "mike", role: RoleMember, kind: kindRequest, g: g}
	admin := Scope{orgID: "acme", actor: "ada", role: RoleAdmin, kind: kindRequest, g: g}
	assert.False(t, member.Can(PermWrite))
	assert.True(t, admin.Can(PermWrite))
	assert.False(t, member.Can("invoices:approve"))
	assert.True(t, admin.Can("invoices:approve"))

	min, ok := g.MinRole("invoices:approve")
	assert.True(t, ok)
	assert.Equal(t, RoleAdmin, min)
	assert.NotPanics(t, func() { g.Require("invoices:approve") })

	// A replacement table without the defaults really replaces them.
	only := newGuard(t, Config{Permissions: map[Permission]Role{"docs:read": RoleViewer}})
	_, ok = only.MinRole(PermRead)
	assert.False(t, ok)
}

func TestRequirePanicsOnProgrammerErrors(t *testing.T) {
	g := newGuard(t, Config{})
	assert.PanicsWithValue(t, `tenant: permission "raed" is not in the guard's permission table`, func() { g.Require("raed") })
	assert.Panics(t, func() { g.RequireRole(0) })
	assert.Panics(t, func() { g.RequireRole(RoleOwner + 1) })
	assert.Panics(t, func() { _, _ = g.AuthorizeRole(nil, 0) })
	assert.Panics(t, func() { MustNew(Config{}) })
}

func TestValidOrgID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"UUID", "0b6e1a52-5a47-4a37-9d0e-0f5c8d7e6a21", true},
		{"integer", "42", true},
		{"ULID", "01ARZ3NDEKTSV4RRFFQ69G5FAV", true},
		{"slug", "acme-corp_eu.1", true},
		{"URN-like", "org:acme", true},
		{"128 bytes", string(make128('a')), true},
		{"empty", "", false},
		{"129 bytes", string(make128('a')) + "a", false},
		{"slash", "acme/../globex", false},
		{"percent", "acme%2F", false},
		{"space", "acme corp", false},
		{"newline for log injection", "acme\nuser=admin", false},
		{"NUL", "acme\x00", false},
		{"non-ASCII lookalike", "аcme", false},
		{"SQL metacharacter", "acme'--", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ValidOrgID(tt.id), "ValidOrgID(%q)", tt.id)
		})
	}
}

func make128(c byte) []byte {
	b := make([]byte, 128)
	for i := range b {
		b[i] = c
	}
	return b
}
