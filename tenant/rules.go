package tenant

import "errors"

// Errors returned by the role-change rules. Each rule has its own error so
// handlers can explain the refusal precisely.
var (
	// ErrSelfRoleChange: nobody changes their own role, not even an owner
	// (another admin or owner must do it, which keeps a second pair of
	// eyes on every privilege change and stops a hijacked session from
	// quietly upgrading itself).
	ErrSelfRoleChange = errors.New("tenant: members cannot change their own role")
	// ErrAboveOwnRole: nobody grants a role above their own, or changes or
	// removes a member who ranks above them.
	ErrAboveOwnRole = errors.New("tenant: cannot grant, change or remove a role above your own")
	// ErrOwnerRequired: only owners make owners.
	ErrOwnerRequired = errors.New("tenant: only owners can make owners")
	// ErrLastOwner: the last owner cannot be removed or demoted, so an
	// organisation is never left without an owner.
	ErrLastOwner = errors.New("tenant: cannot remove or demote the last owner")
	// ErrInviteAboveOwnRole: invitations carry a role no higher than the
	// inviter's.
	ErrInviteAboveOwnRole = errors.New("tenant: cannot invite with a role above your own")
	// ErrNotMember: the target of a role change or removal is not a member
	// of the actor's organisation.
	ErrNotMember = errors.New("tenant: target is not a member")
)

// Member is one membership as stored by the application: a user and their
// current role in the actor's organisation.
type Member struct {
	UserID string
	Role   Role
}

// CheckRoleChange reports whether actor may change target's role to to.
// It is a pure function: it reads nothing and writes nothing, so the
// caller must supply fresh facts from inside the transaction that performs
// the change. owners is the number of owners the organisation has right
// now, counted with the rows locked, see "Last owner and concurrency" in
// the package documentation; [RoleStore.ChangeRole] does all of this for
// you.
//
// The rules, checked in this order, and their errors:
//
//   - actor is the zero Scope: [ErrNoScope]; to or target.Role invalid:
//     [ErrInvalidRole]; target.UserID empty: [ErrNotMember].
//   - nobody changes their own role: [ErrSelfRoleChange].
//   - the actor's role must hold [PermManageMembers]: [ErrForbidden].
//   - only owners make owners: [ErrOwnerRequired].
//   - nobody grants a role above their own, or touches a member who ranks
//     above them: [ErrAboveOwnRole].
//   - the last owner cannot be demoted (owners <= 1): [ErrLastOwner].
//
// Setting a member's role to the role they already have passes the same
// checks and changes nothing.
func CheckRoleChange(actor Scope, target Member, to Role, owners int) error {
	if err := checkParties(actor, target); err != nil {
		return err
	}
	if !to.Valid() {
		return ErrInvalidRole
	}
	switch {
	case actor.kind == kindRequest && target.UserID == actor.actor:
		return ErrSelfRoleChange
	case !actor.Can(PermManageMembers):
		return ErrForbidden
	case to == RoleOwner && actor.role != RoleOwner:
		return ErrOwnerRequired
	case to > actor.role || target.Role > actor.role:
		return ErrAboveOwnRole
	case target.Role == RoleOwner && to != RoleOwner && owners <= 1:
		return ErrLastOwner
	}
	return nil
}

// CheckRemoval reports whether actor may remove target from the
// organisation. Like [CheckRoleChange] it is pure and needs the owner count
// taken under lock; [RoleStore.Remove] does that for you.
//
// Members may always leave (target is the actor), except the last owner.
// Removing someone else requires [PermManageMembers] ([ErrForbidden]) and
// a role at least the target's ([ErrAboveOwnRole]); the last owner can
// never be removed ([ErrLastOwner]). A zero actor is [ErrNoScope], an
// invalid target role [ErrInvalidRole], an empty target user
// [ErrNotMember].
func CheckRemoval(actor Scope, target Member, owners int) error {
	if err := checkParties(actor, target); err != nil {
		return err
	}
	lastOwner := target.Role == RoleOwner && owners <= 1
	if actor.kind == kindRequest && target.UserID == actor.actor {
		if lastOwner {
			return ErrLastOwner
		}
		return nil
	}
	switch {
	case !actor.Can(PermManageMembers):
		return ErrForbidden
	case target.Role > actor.role:
		return ErrAboveOwnRole
	case lastOwner:
		return ErrLastOwner
	}
	return nil
}

// CheckInvite reports whether actor may invite someone into the
// organisation with role. The role must be valid ([ErrInvalidRole]), the
// actor must hold [PermManageMembers] ([ErrForbidden]), and the role may be
// no higher than the actor's own ([ErrInviteAboveOwnRole]); hence only
// owners invite owners. Check again when the invitation is accepted if the
// inviter's role may have changed in between.
func CheckInvite(actor Scope, role Role) error {
	switch {
	case actor.IsZero():
		return ErrNoScope
	case !role.Valid():
		return ErrInvalidRole
	case !actor.Can(PermManageMembers):
		return ErrForbidden
	case role > actor.role:
		return ErrInviteAboveOwnRole
	}
	return nil
}

func checkParties(actor Scope, target Member) error {
	switch {
	case actor.IsZero():
		return ErrNoScope
	case target.UserID == "":
		return ErrNotMember
	case !target.Role.Valid():
		return ErrInvalidRole
	}
	return nil
}
