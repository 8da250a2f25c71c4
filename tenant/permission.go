package tenant

import (
	"fmt"
	"maps"
)

// Permission names one thing a member may do inside an organisation, such
// as [PermRead] or [PermManageMembers]. A permission is granted to every
// role at or above its minimum role in the guard's permission table
// ([Config.Permissions], [DefaultPermissions]).
//
// Names are short lower-case words: a letter, then letters, digits and
// "_", ".", ":" or "-", at most 64 bytes (for example "invoices:approve").
type Permission string

// The built-in permissions and their default minimum roles.
const (
	// PermRead reads the organisation's data. Default: viewer.
	PermRead Permission = "read"
	// PermWrite creates, changes and deletes ordinary data. Default: member.
	PermWrite Permission = "write"
	// PermManageMembers invites, removes and changes the roles of members
	// (subject to the role-change rules, see [CheckRoleChange]). Default: admin.
	PermManageMembers Permission = "members:manage"
	// PermManageIntegrations connects and disconnects third-party
	// integrations and their credentials. Default: admin.
	PermManageIntegrations Permission = "integrations:manage"
	// PermViewAudit reads the organisation's audit log. Default: admin.
	PermViewAudit Permission = "audit:view"
	// PermManageBilling changes plans, payment methods and invoices.
	// Default: owner.
	PermManageBilling Permission = "billing:manage"
	// PermDeleteOrg deletes the organisation itself. Default: owner.
	PermDeleteOrg Permission = "org:delete"
)

// DefaultPermissions returns a new copy of the default permission table,
// mapping each built-in permission to the lowest role that holds it:
//
//	read                 viewer
//	write                member
//	members:manage       admin
//	integrations:manage  admin
//	audit:view           admin
//	billing:manage       owner
//	org:delete           owner
//
// To extend the defaults, add entries to the returned map and pass it as
// [Config.Permissions]; to replace them, pass a map of your own.
func DefaultPermissions() map[Permission]Role {
	return map[Permission]Role{
		PermRead:               RoleViewer,
		PermWrite:              RoleMember,
		PermManageMembers:      RoleAdmin,
		PermManageIntegrations: RoleAdmin,
		PermViewAudit:          RoleAdmin,
		PermManageBilling:      RoleOwner,
		PermDeleteOrg:          RoleOwner,
	}
}

// compilePermissions validates a permission table and returns a private
// copy, so later changes to the caller's map have no effect.
func compilePermissions(in map[Permission]Role) (map[Permission]Role, error) {
	if in == nil {
		return DefaultPermissions(), nil
	}
	if len(in) == 0 {
		return nil, fmt.Errorf("tenant: Config.Permissions is empty; leave it nil for the defaults")
	}
	for p, r := range in {
		if !validPermission(p) {
			return nil, fmt.Errorf("tenant: Config.Permissions: invalid permission name %q", truncate(string(p), 64))
		}
		if !r.Valid() {
			return nil, fmt.Errorf("tenant: Config.Permissions[%q]: %w: %d", p, ErrInvalidRole, uint8(r))
		}
	}
	return maps.Clone(in), nil
}

// validPermission reports whether p follows the documented name syntax.
func validPermission(p Permission) bool {
	if len(p) == 0 || len(p) > 64 || p[0] < 'a' || p[0] > 'z' {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '.', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// truncate shortens s for inclusion in an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
