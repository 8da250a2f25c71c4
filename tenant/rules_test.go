package tenant

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// op is one step of a role-change sequence.
type op struct {
	actor   string // a user in the org, or "" for a background job acting as owner
	kind    string // "change", "remove" or "invite"
	target  string
	role    Role // new role for "change" and "invite"
	wantErr error
}

// runSteps applies steps in order to an organisation whose memberships
// are org, the way a handler would: the actor's role and the owner count
// are read from the current state (as RoleStore does with the rows
// locked), the rule decides, and only allowed changes are applied.
func runSteps(t *testing.T, org map[string]Role, steps []op) map[string]Role {
	t.Helper()
	g := newGuard(t, Config{})
	state := maps.Clone(org)
	for i, st := range steps {
		var actor Scope
		if st.actor == "" {
			actor = Scope{orgID: "acme", actor: "job", role: RoleOwner, kind: kindBackground, g: g}
		} else {
			r, ok := state[st.actor]
			require.True(t, ok, "step %d: actor %s must be a member", i, st.actor)
			actor = Scope{orgID: "acme", actor: st.actor, role: r, kind: kindRequest, g: g}
		}
		owners := 0
		for _, r := range state {
			if r == RoleOwner {
				owners++
			}
		}
		target := Member{UserID: st.target, Role: state[st.target]}
		var err error
		switch st.kind {
		case "change":
			err = CheckRoleChange(actor, target, st.role, owners)
		case "remove":
			err = CheckRemoval(actor, target, owners)
		case "invite":
			err = CheckInvite(actor, st.role)
		default:
			t.Fatalf("step %d: unknown op %q", i, st.kind)
		}
		if st.wantErr != nil {
			require.ErrorIs(t, err, st.wantErr, "step %d: %s %s %s %v", i, st.actor, st.kind, st.target, st.role)
			continue
		}
		require.NoError(t, err, "step %d: %s %s %s %v", i, st.actor, st.kind, st.target, st.role)
		switch st.kind {
		case "change":
			state[st.target] = st.role
		case "remove":
			delete(state, st.target)
		case "invite":
			state[st.target] = st.role
		}
	}
	return state
}

func TestRoleChangeSequences(t *testing.T) {
	team := map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "adam": RoleAdmin, "mike": RoleMember, "vera": RoleViewer}
	tests := []struct {
		name  string
		start map[string]Role
		steps []op
		end   map[string]Role
	}{
		{
			name:  "nobody changes their own role, whatever the direction",
			start: team,
			steps: []op{
				{"olga", "change", "olga", RoleAdmin, ErrSelfRoleChange},
				{"ada", "change", "ada", RoleOwner, ErrSelfRoleChange},
				{"ada", "change", "ada", RoleViewer, ErrSelfRoleChange},
				{"vera", "change", "vera", RoleMember, ErrSelfRoleChange},
			},
			end: team,
		},
		{
			name:  "members without the manage permission change nothing",
			start: team,
			steps: []op{
				{"mike", "change", "vera", RoleMember, ErrForbidden},
				{"vera", "change", "mike", RoleViewer, ErrForbidden},
				{"mike", "remove", "vera", 0, ErrForbidden},
				{"mike", "invite", "new", RoleViewer, ErrForbidden},
			},
			end: team,
		},
		{
			name:  "admins manage up to their own rank and no further",
			start: team,
			steps: []op{
				{"ada", "change", "vera", RoleMember, nil},
				{"ada", "change", "mike", RoleAdmin, nil},
				{"ada", "change", "adam", RoleMember, nil}, // an equal may be demoted
				{"ada", "change", "olga", RoleAdmin, ErrAboveOwnRole},
				{"ada", "remove", "olga", 0, ErrAboveOwnRole},
				{"ada", "change", "mike", RoleOwner, ErrOwnerRequired},
			},
			end: map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "adam": RoleMember, "mike": RoleAdmin, "vera": RoleMember},
		},
		{
			name:  "only owners make owners, and then either owner may demote the other",
			start: team,
			steps: []op{
				{"ada", "change", "adam", RoleOwner, ErrOwnerRequired},
				{"olga", "change", "ada", RoleOwner, nil},
				{"ada", "change", "olga", RoleAdmin, nil},
				// olga is an admin now and ada the only owner.
				{"olga", "change", "ada", RoleAdmin, ErrAboveOwnRole},
				{"olga", "remove", "ada", 0, ErrAboveOwnRole},
			},
			end: map[string]Role{"olga": RoleAdmin, "ada": RoleOwner, "adam": RoleAdmin, "mike": RoleMember, "vera": RoleViewer},
		},
		{
			name:  "the last owner can neither leave nor be demoted or removed",
			start: team,
			steps: []op{
				{"olga", "remove", "olga", 0, ErrLastOwner},
				{"", "change", "olga", RoleAdmin, ErrLastOwner},
				{"", "remove", "olga", 0, ErrLastOwner},
				// With a second owner, the first may leave.
				{"olga", "change", "ada", RoleOwner, nil},
				{"olga", "remove", "olga", 0, nil},
				// Now ada is the last owner.
				{"ada", "remove", "ada", 0, ErrLastOwner},
				{"", "change", "ada", RoleMember, ErrLastOwner},
			},
			end: map[string]Role{"ada": RoleOwner, "adam": RoleAdmin, "mike": RoleMember, "vera": RoleViewer},
		},
		{
			name:  "owners demoting each other one after the other leave exactly one owner",
			start: map[string]Role{"olga": RoleOwner, "otto": RoleOwner},
			steps: []op{
				{"olga", "change", "otto", RoleAdmin, nil},
				// otto's role is re-read: he is an admin now.
				{"otto", "change", "olga", RoleAdmin, ErrAboveOwnRole},
				// A job acting as owner meets the last-owner rule instead.
				{"", "change", "olga", RoleAdmin, ErrLastOwner},
			},
			end: map[string]Role{"olga": RoleOwner, "otto": RoleAdmin},
		},
		{
			name:  "members may leave; others are removed only by someone at least their rank",
			start: team,
			steps: []op{
				{"vera", "remove", "vera", 0, nil},
				{"adam", "remove", "mike", 0, nil},
				{"adam", "remove", "ada", 0, nil},
			},
			end: map[string]Role{"olga": RoleOwner, "adam": RoleAdmin},
		},
		{
			name:  "invitations carry a role no higher than the inviter's",
			start: team,
			steps: []op{
				{"ada", "invite", "n1", RoleAdmin, nil},
				{"ada", "invite", "n2", RoleOwner, ErrInviteAboveOwnRole},
				{"olga", "invite", "n3", RoleOwner, nil},
				{"vera", "invite", "n4", RoleViewer, ErrForbidden},
				{"olga", "invite", "n5", 0, ErrInvalidRole},
			},
			end: map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "adam": RoleAdmin, "mike": RoleMember, "vera": RoleViewer, "n1": RoleAdmin, "n3": RoleOwner},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runSteps(t, tt.start, tt.steps)
			assert.Equal(t, tt.end, got)
		})
	}
}

func TestRuleInputValidation(t *testing.T) {
	g := newGuard(t, Config{})
	owner := Scope{orgID: "acme", actor: "olga", role: RoleOwner, kind: kindRequest, g: g}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"change by the zero Scope", CheckRoleChange(Scope{}, Member{"mike", RoleMember}, RoleAdmin, 1), ErrNoScope},
		{"removal by the zero Scope", CheckRemoval(Scope{}, Member{"mike", RoleMember}, 1), ErrNoScope},
		{"invite by the zero Scope", CheckInvite(Scope{}, RoleViewer), ErrNoScope},
		{"change to the zero role", CheckRoleChange(owner, Member{"mike", RoleMember}, 0, 1), ErrInvalidRole},
		{"change to an out-of-range role", CheckRoleChange(owner, Member{"mike", RoleMember}, RoleOwner+1, 1), ErrInvalidRole},
		{"change of a target with no role", CheckRoleChange(owner, Member{"mike", 0}, RoleAdmin, 1), ErrInvalidRole},
		{"change of a target with no ID", CheckRoleChange(owner, Member{"", RoleMember}, RoleAdmin, 1), ErrNotMember},
		{"removal of a target with no ID", CheckRemoval(owner, Member{"", RoleMember}, 1), ErrNotMember},
		{"stale owner count of zero still protects an owner", CheckRoleChange(owner, Member{"otto", RoleOwner}, RoleAdmin, 0), ErrLastOwner},
		{"negative owner count still protects an owner", CheckRemoval(owner, Member{"otto", RoleOwner}, -1), ErrLastOwner},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.ErrorIs(t, tt.err, tt.want)
		})
	}
}

func TestRuleErrorsAreDistinct(t *testing.T) {
	errs := []error{ErrSelfRoleChange, ErrAboveOwnRole, ErrOwnerRequired, ErrLastOwner, ErrInviteAboveOwnRole, ErrNotMember, ErrForbidden, ErrNoScope, ErrInvalidRole}
	for i, a := range errs {
		for j, b := range errs {
			if i != j {
				assert.NotErrorIs(t, a, b)
				assert.NotEqual(t, a.Error(), b.Error())
			}
		}
	}
}
