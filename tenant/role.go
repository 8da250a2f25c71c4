package tenant

import (
	"errors"
	"fmt"
	"strconv"
)

// Role is a member's rank inside one organisation. Roles are totally
// ordered: [RoleViewer] < [RoleMember] < [RoleAdmin] < [RoleOwner], so
// "at least admin" is a plain comparison.
//
// The zero Role is not a role: it is what a non-member has, it fails
// [Role.Valid], it satisfies no permission, and [ParseRole] never returns it
// without an error. Store roles by name ([Role.String], [Role.MarshalText]),
// not by number, so that the table stays readable and reorderings are
// impossible.
type Role uint8

// The four roles, lowest first.
const (
	// RoleViewer may read the organisation's data and nothing more.
	RoleViewer Role = iota + 1
	// RoleMember may read and write the organisation's ordinary data.
	RoleMember
	// RoleAdmin may also manage members, integrations and view the audit log.
	RoleAdmin
	// RoleOwner may do everything, including billing and making other owners.
	// Every organisation must keep at least one owner (see [CheckRoleChange]).
	RoleOwner
)

// ErrInvalidRole reports a role name or value outside the four roles.
var ErrInvalidRole = errors.New("tenant: invalid role")

// name returns the role's name, or "" for an invalid Role.
func (r Role) name() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleMember:
		return "member"
	case RoleAdmin:
		return "admin"
	case RoleOwner:
		return "owner"
	}
	return ""
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r >= RoleViewer && r <= RoleOwner }

// AtLeast reports whether r is valid and ranks at or above min. An invalid
// Role is never at least anything, and nothing is at least an invalid Role.
func (r Role) AtLeast(min Role) bool { return r.Valid() && min.Valid() && r >= min }

// String returns the lower-case role name ("viewer", "member", "admin",
// "owner"), or "Role(n)" for an invalid value.
func (r Role) String() string {
	if r.Valid() {
		return r.name()
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText implements [encoding.TextMarshaler]. Invalid roles are an
// error so that a zero Role is never written to a database or JSON body.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrInvalidRole, uint8(r))
	}
	return []byte(r.name()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseRole].
func (r *Role) UnmarshalText(text []byte) error {
	v, err := ParseRole(string(text))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRole returns the Role named s. Only the exact lower-case names
// printed by [Role.String] are accepted; anything else, including the empty
// string, returns [ErrInvalidRole].
func ParseRole(s string) (Role, error) {
	for r := RoleViewer; r <= RoleOwner; r++ {
		if s == r.name() {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrInvalidRole, truncate(s, 32))
}
