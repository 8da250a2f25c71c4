package main

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/tenant"
)

// The guard's own deny pages, to tell them apart from handler answers.
const (
	guardNotFound  = "Page not found."
	guardForbidden = "Your role in this organisation does not allow this."
)

// TestCrossTenantMatrix sends every org-scoped route (the orgRoutes table,
// so new routes are covered automatically) as an anonymous visitor, a
// signed-in non-member and each role, and checks the guard's answer: sign-in
// for anonymous, 404 (same as a missing org) for non-members, 403 below the
// route's minimum role, the handler itself at or above it.
func TestCrossTenantMatrix(t *testing.T) {
	ta := newTestApp(t)
	owner, ownerID := ta.newUser(t, "owner@example.com")
	outsider, _ := ta.newUser(t, "outsider@example.com")
	outsider.createOrg("Outsider's own org") // a member elsewhere, not here
	byRole := map[tenant.Role]*client{tenant.RoleOwner: owner}
	ids := map[tenant.Role]string{tenant.RoleOwner: ownerID}
	for _, r := range []tenant.Role{tenant.RoleViewer, tenant.RoleMember, tenant.RoleAdmin} {
		byRole[r], ids[r] = ta.newUser(t, r.String()+"@example.com")
	}
	perms := tenant.DefaultPermissions()
	perms[permApprove] = tenant.RoleAdmin

	for _, rt := range orgRoutes {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		minRole := perms[rt.Perm]
		require.True(t, minRole.Valid(), "route %s has a permission outside the table", rt.Pattern)
		for _, who := range []string{"anonymous", "non-member", "viewer", "member", "admin", "owner"} {
			t.Run(rt.Pattern+"/"+who, func(t *testing.T) {
				// A fresh org per case: handlers that succeed (leave,
				// remove) must not change the next case's facts.
				orgID := owner.createOrg("Matrix org")
				for _, r := range []tenant.Role{tenant.RoleViewer, tenant.RoleMember, tenant.RoleAdmin} {
					ta.addMember(t, orgID, ids[r], r)
				}
				path := strings.NewReplacer("{org}", orgID, "{user}", ids[tenant.RoleViewer], "{kind}", "jira", "{token}", "not-a-token").Replace(pattern)
				var c *client
				switch who {
				case "anonymous":
					c = ta.client(t)
				case "non-member":
					c = outsider
				default:
					role, err := tenant.ParseRole(who)
					require.NoError(t, err)
					c = byRole[role]
				}
				var r response
				if method == http.MethodGet {
					r = c.get(path)
				} else {
					r = c.post(path, url.Values{"role": {"viewer"}, "kind": {"jira"}, "project": {"X"}, "decision": {"approve"}})
				}
				switch who {
				case "anonymous":
					if method == http.MethodGet {
						assert.Equal(t, http.StatusSeeOther, r.Status)
						assert.True(t, strings.HasPrefix(r.Location, "/signin"), "redirect to sign-in, got %q", r.Location)
					} else {
						assert.Equal(t, http.StatusUnauthorized, r.Status)
					}
				case "non-member":
					assert.Equal(t, http.StatusNotFound, r.Status)
					assert.Contains(t, r.Body, guardNotFound)
					// Identical to an org that does not exist at all.
					other := strings.Replace(path, orgID, "AAAAAAAAAAAAAAAAAAAAAA", 1)
					var missing response
					if method == http.MethodGet {
						missing = c.get(other)
					} else {
						missing = c.post(other, url.Values{})
					}
					assert.Equal(t, stripNonce(missing.Body), stripNonce(r.Body))
				default:
					role, _ := tenant.ParseRole(who)
					if role < minRole {
						assert.Equal(t, http.StatusForbidden, r.Status)
						assert.Contains(t, r.Body, guardForbidden)
					} else {
						assert.NotContains(t, r.Body, guardNotFound, "status %d", r.Status)
						assert.NotContains(t, r.Body, guardForbidden, "status %d", r.Status)
						assert.NotEqual(t, http.StatusUnauthorized, r.Status)
					}
				}
				if r.Status < 300 || r.Status >= 400 {
					assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
				}
				assert.Contains(t, r.Header.Get("Content-Security-Policy"), "'strict-dynamic'", "every response carries the CSP")
			})
		}
	}
}

var inviteLink = regexp.MustCompile(`<code id="invite-link">[^<]*/invites/accept#([A-Za-z0-9_-]{43})</code>`)

func TestInviteAcceptRolesAndLeave(t *testing.T) {
	ta := newTestApp(t)
	owner, ownerID := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")

	inv := owner.post("/orgs/"+orgID+"/invites", url.Values{"role": {"admin"}})
	require.Equal(t, http.StatusOK, inv.Status, inv.Body)
	m := inviteLink.FindStringSubmatch(inv.Body)
	require.NotNil(t, m, "invitation link shown")

	bob, bobID := ta.newUser(t, "bob@example.com")
	assert.Equal(t, http.StatusNotFound, bob.get("/orgs/"+orgID).Status, "not a member before accepting")
	acc := bob.post("/invites/accept", url.Values{"token": {m[1]}})
	require.Equal(t, http.StatusSeeOther, acc.Status, acc.Body)
	assert.Equal(t, http.StatusOK, bob.get("/orgs/"+orgID).Status)
	carol, carolID := ta.newUser(t, "carol@example.com")
	assert.Equal(t, http.StatusBadRequest, carol.post("/invites/accept", url.Values{"token": {m[1]}}).Status, "an invitation works once")

	steps := []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		status int
	}{
		{"an admin cannot invite an owner", bob, "/orgs/" + orgID + "/invites", url.Values{"role": {"owner"}}, http.StatusUnprocessableEntity},
		{"an admin invites a member", bob, "/orgs/" + orgID + "/invites", url.Values{"role": {"member"}}, http.StatusOK},
		{"nobody changes their own role", bob, "/orgs/" + orgID + "/members/" + bobID + "/role", url.Values{"role": {"owner"}}, http.StatusUnprocessableEntity},
		{"an admin cannot demote the owner", bob, "/orgs/" + orgID + "/members/" + ownerID + "/role", url.Values{"role": {"viewer"}}, http.StatusUnprocessableEntity},
		{"an admin cannot remove the owner", bob, "/orgs/" + orgID + "/members/" + ownerID + "/remove", nil, http.StatusUnprocessableEntity},
		{"the last owner cannot leave", owner, "/orgs/" + orgID + "/leave", nil, http.StatusUnprocessableEntity},
		{"the owner makes the admin an owner", owner, "/orgs/" + orgID + "/members/" + bobID + "/role", url.Values{"role": {"owner"}}, http.StatusSeeOther},
		{"now the first owner may leave", owner, "/orgs/" + orgID + "/leave", nil, http.StatusSeeOther},
		{"and is out", owner, "/orgs/" + orgID, nil, http.StatusNotFound},
		{"a role change for a non-member is refused", bob, "/orgs/" + orgID + "/members/" + carolID + "/role", url.Values{"role": {"viewer"}}, http.StatusUnprocessableEntity},
	}
	for _, s := range steps {
		var r response
		if s.form == nil && strings.HasSuffix(s.path, orgID) {
			r = s.c.get(s.path)
		} else {
			r = s.c.post(s.path, s.form)
		}
		assert.Equal(t, s.status, r.Status, s.name)
	}
}

func TestInviteFromADemotedInviterIsRefused(t *testing.T) {
	ta := newTestApp(t)
	owner, _ := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")
	admin, adminID := ta.newUser(t, "admin@example.com")
	ta.addMember(t, orgID, adminID, tenant.RoleAdmin)
	inv := admin.post("/orgs/"+orgID+"/invites", url.Values{"role": {"admin"}})
	m := inviteLink.FindStringSubmatch(inv.Body)
	require.NotNil(t, m)
	require.Equal(t, http.StatusSeeOther, owner.post("/orgs/"+orgID+"/members/"+adminID+"/role", url.Values{"role": {"member"}}).Status)

	eve, _ := ta.newUser(t, "eve@example.com")
	assert.Equal(t, http.StatusBadRequest, eve.post("/invites/accept", url.Values{"token": {m[1]}}).Status)
	assert.Equal(t, http.StatusNotFound, eve.get("/orgs/"+orgID).Status)
}

// Two owners demoting each other at the same moment: the role rules read
// the owner count inside the writing transaction, so exactly one wins and
// the org keeps an owner.
func TestConcurrentDemotionsKeepAnOwner(t *testing.T) {
	ta := newTestApp(t)
	for round := range 5 {
		a, aID := ta.newUser(t, "a"+strconv.Itoa(round)+"@example.com")
		b, bID := ta.newUser(t, "b"+strconv.Itoa(round)+"@example.com")
		orgID := a.createOrg("Race")
		ta.addMember(t, orgID, bID, tenant.RoleOwner)

		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, step := range []struct {
			c      *client
			target string
		}{{a, bID}, {b, aID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = step.c.post("/orgs/"+orgID+"/members/"+step.target+"/role", url.Values{"role": {"member"}}).Status
			}()
		}
		wg.Wait()
		// The loser is refused either because it is no longer an owner
		// (403) or because it would demote the last owner (422).
		sort.Ints(statuses)
		assert.Equal(t, http.StatusSeeOther, statuses[0], "round %d: one demotion succeeds", round)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusUnprocessableEntity}, statuses[1], "round %d: the other is refused", round)
		members, err := ta.db.members(t.Context(), ta.scope(t, orgID))
		require.NoError(t, err)
		owners := 0
		for _, m := range members {
			if m.Role == tenant.RoleOwner {
				owners++
			}
		}
		assert.Equal(t, 1, owners, "round %d", round)
	}
}

// A role change or removal re-reads the actor's role inside the writing
// transaction: a Scope resolved before the actor was demoted or removed
// no longer carries its authority.
func TestMemberChangesRefuseAStaleActorScope(t *testing.T) {
	ta := newTestApp(t)
	owner, _ := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")
	_, adminID := ta.newUser(t, "admin@example.com")
	_, targetID := ta.newUser(t, "target@example.com")
	ta.addMember(t, orgID, adminID, tenant.RoleAdmin)
	ta.addMember(t, orgID, targetID, tenant.RoleMember)

	// The admin's request Scope, as the guard resolves it at the start of
	// a request.
	guard, err := tenant.New(tenant.Config{Memberships: ta.db, UserID: func(*http.Request) (string, bool) { return adminID, true }})
	require.NoError(t, err)
	r, err := http.NewRequest(http.MethodPost, "/orgs/"+orgID+"/members/"+targetID+"/remove", nil)
	require.NoError(t, err)
	r.SetPathValue("org", orgID)
	stale, err := guard.Authorize(r, tenant.PermManageMembers)
	require.NoError(t, err)

	require.Equal(t, http.StatusSeeOther, owner.post("/orgs/"+orgID+"/members/"+adminID+"/role", url.Values{"role": {"viewer"}}).Status)
	assert.ErrorIs(t, ta.db.changeRole(t.Context(), stale, targetID, tenant.RoleViewer), tenant.ErrForbidden, "demoted since the Scope was made")
	assert.ErrorIs(t, ta.db.removeMember(t.Context(), stale, targetID), tenant.ErrForbidden, "demoted since the Scope was made")

	require.Equal(t, http.StatusSeeOther, owner.post("/orgs/"+orgID+"/members/"+adminID+"/remove", nil).Status)
	assert.ErrorIs(t, ta.db.changeRole(t.Context(), stale, targetID, tenant.RoleViewer), tenant.ErrForbidden, "no longer a member")
	assert.ErrorIs(t, ta.db.removeMember(t.Context(), stale, targetID), tenant.ErrForbidden, "no longer a member")

	role, found, err := ta.db.Membership(t.Context(), orgID, targetID)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, tenant.RoleMember, role, "the target is untouched")
}
