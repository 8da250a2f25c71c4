package tenant

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCrossTenantMatrix checks every combination of caller, permission and
// organisation against the default permission table. Roles refer to the
// fixture's org "acme" ("own org"); "globex" exists but none of the callers
// below belongs to it; "initech" does not exist.
func TestCrossTenantMatrix(t *testing.T) {
	const (
		ok  = http.StatusOK
		u   = http.StatusUnauthorized
		nf  = http.StatusNotFound
		fbd = http.StatusForbidden
	)
	perms := []Permission{PermRead, PermWrite, PermManageMembers, PermViewAudit}
	matrix := []struct {
		caller, user string
		org, orgID   string
		want         [4]int // read, write, manage members, view audit
	}{
		{"no user", "", "own org", "acme", [4]int{u, u, u, u}},
		{"no user", "", "other existing org", "globex", [4]int{u, u, u, u}},
		{"no user", "", "nonexistent org", "initech", [4]int{u, u, u, u}},

		{"non-member", "nina", "own org", "acme", [4]int{nf, nf, nf, nf}},
		{"non-member", "nina", "other existing org", "globex", [4]int{nf, nf, nf, nf}},
		{"non-member", "nina", "nonexistent org", "initech", [4]int{nf, nf, nf, nf}},

		{"viewer", "vera", "own org", "acme", [4]int{ok, fbd, fbd, fbd}},
		{"viewer", "vera", "other existing org", "globex", [4]int{nf, nf, nf, nf}},
		{"viewer", "vera", "nonexistent org", "initech", [4]int{nf, nf, nf, nf}},

		{"member", "mike", "own org", "acme", [4]int{ok, ok, fbd, fbd}},
		{"member", "mike", "other existing org", "globex", [4]int{nf, nf, nf, nf}},
		{"member", "mike", "nonexistent org", "initech", [4]int{nf, nf, nf, nf}},

		{"admin", "ada", "own org", "acme", [4]int{ok, ok, ok, ok}},
		{"admin", "ada", "other existing org", "globex", [4]int{nf, nf, nf, nf}},
		{"admin", "ada", "nonexistent org", "initech", [4]int{nf, nf, nf, nf}},

		{"owner", "olga", "own org", "acme", [4]int{ok, ok, ok, ok}},
		{"owner", "olga", "other existing org", "globex", [4]int{nf, nf, nf, nf}},
		{"owner", "olga", "nonexistent org", "initech", [4]int{nf, nf, nf, nf}},
	}
	wantRole := map[string]Role{"vera": RoleViewer, "mike": RoleMember, "ada": RoleAdmin, "olga": RoleOwner}
	wantReason := map[int]Reason{ok: ReasonAllowed, u: ReasonUnauthenticated, nf: ReasonNotMember, fbd: ReasonInsufficientRole}

	for _, row := range matrix {
		for i, perm := range perms {
			name := fmt.Sprintf("%s on %s asking to %s gets %d", row.caller, row.org, perm, row.want[i])
			t.Run(name, func(t *testing.T) {
				members := fixture()
				var decisions []Decision
				g := newGuard(t, Config{Memberships: members, OnDecision: func(d Decision) { decisions = append(decisions, d) }})
				mux := http.NewServeMux()
				mux.Handle("GET /orgs/{org}/"+string(perm), g.Require(perm)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := MustFromContext(r.Context())
					fmt.Fprintf(w, "%s|%s|%s", s.OrgID(), s.UserID(), s.Role())
				})))

				req := httptest.NewRequest("GET", "/orgs/"+row.orgID+"/"+string(perm), nil)
				if row.user != "" {
					req.Header.Set(userHeader, row.user)
				}
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)

				require.Equal(t, row.want[i], rec.Code, "status")
				require.Len(t, decisions, 1, "OnDecision calls")
				assert.Equal(t, wantReason[row.want[i]], decisions[0].Reason, "decision reason")
				assert.Equal(t, row.want[i] == ok, decisions[0].Allowed, "decision allowed")
				assert.Equal(t, perm, decisions[0].Permission)

				switch row.want[i] {
				case ok:
					assert.Equal(t, row.orgID+"|"+row.user+"|"+wantRole[row.user].String(), rec.Body.String(), "scope seen by the handler")
				case nf:
					// Identical to the mux's own 404 for an unknown route,
					// headers included, so nothing distinguishes "no such
					// org" from "not your org" from "no such page".
					unknown := httptest.NewRecorder()
					mux.ServeHTTP(unknown, httptest.NewRequest("GET", "/no/such/route", nil))
					assert.Equal(t, unknown.Code, rec.Code)
					assert.Equal(t, unknown.Body.String(), rec.Body.String(), "404 body")
					assert.Equal(t, unknown.Header(), rec.Header(), "404 headers")
					assert.Equal(t, int64(1), members.calls.Load(), "non-member and nonexistent org both take exactly one backend lookup")
				case u:
					assert.Equal(t, int64(0), members.calls.Load(), "no backend lookup without a user")
					assert.Equal(t, "Unauthorized\n", rec.Body.String())
				case fbd:
					assert.Equal(t, "Forbidden\n", rec.Body.String())
				}
			})
		}
	}
}
