package tenant_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/bulwark-go/bulwark/tenant"
)

// memberships stands in for the app's membership table:
// SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2.
func memberships() tenant.Memberships {
	roles := map[[2]string]tenant.Role{
		{"acme", "alice"}: tenant.RoleOwner,
		{"acme", "bob"}:   tenant.RoleViewer,
	}
	return tenant.MembershipsFunc(func(_ context.Context, org, user string) (tenant.Role, bool, error) {
		r, ok := roles[[2]string{org, user}]
		return r, ok, nil
	})
}

// Guard org-scoped routes on an http.ServeMux. Unknown users get 401,
// other organisations (existing or not) 404, and members without the
// permission 403.
func Example() {
	guard, err := tenant.New(tenant.Config{
		Memberships: memberships(),
		// In a real app: the user ID from your session middleware.
		UserID: func(r *http.Request) (string, bool) {
			u := r.Header.Get("X-Demo-User")
			return u, u != ""
		},
		OnDecision: func(d tenant.Decision) {
			if !d.Allowed {
				fmt.Printf("  audit: deny %s user=%q org=%q\n", d.Reason, d.UserID, d.OrgID)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	listProjects := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scope := tenant.MustFromContext(r.Context())
		fmt.Fprintf(w, "projects of %s for %s (%s)", scope.OrgID(), scope.UserID(), scope.Role())
	})
	createProject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})

	mux := http.NewServeMux()
	mux.Handle("GET /orgs/{org}/projects", guard.Require(tenant.PermRead)(listProjects))
	mux.Handle("POST /orgs/{org}/projects", guard.Require(tenant.PermWrite)(createProject))

	for _, c := range []struct{ method, path, user string }{
		{"GET", "/orgs/acme/projects", "alice"},
		{"GET", "/orgs/acme/projects", ""},
		{"GET", "/orgs/globex/projects", "alice"},
		{"POST", "/orgs/acme/projects", "bob"},
		{"POST", "/orgs/acme/projects", "alice"},
	} {
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.user != "" {
			req.Header.Set("X-Demo-User", c.user)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Printf("%s %s as %q: %d %s\n", c.method, c.path, c.user, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// GET /orgs/acme/projects as "alice": 200 projects of acme for alice (owner)
	//   audit: deny unauthenticated user="" org=""
	// GET /orgs/acme/projects as "": 401 Unauthorized
	//   audit: deny not_member user="alice" org="globex"
	// GET /orgs/globex/projects as "alice": 404 404 page not found
	//   audit: deny insufficient_role user="bob" org="acme"
	// POST /orgs/acme/projects as "bob": 403 Forbidden
	// POST /orgs/acme/projects as "alice": 201
}

// Open every database transaction through the Scope, so PostgreSQL's
// row-level security confines it to the organisation even if a query
// forgets its WHERE org_id clause. (Not run: it needs a database.)
func ExampleWithTx() {
	var db *sql.DB // e.g. sql.Open("pgx", os.Getenv("DATABASE_URL")), connected as the non-owner app role

	renameAll := func(w http.ResponseWriter, r *http.Request) {
		scope := tenant.MustFromContext(r.Context())
		err := tenant.WithTx(r.Context(), db, scope, func(tx *sql.Tx) error {
			// No WHERE org_id: the policy limits this to scope.OrgID()'s rows.
			_, err := tx.ExecContext(r.Context(), `UPDATE projects SET archived = true`)
			return err
		})
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}
	_ = renameAll
}

// Change a member's role with the last-owner check taken under row locks.
// (Not run: it needs a database.)
func ExampleRoleStore_ChangeRole() {
	var db *sql.DB
	roles := tenant.MustNewRoleStore(tenant.RoleStoreConfig{}) // table memberships(org_id, user_id, role)

	changeRole := func(w http.ResponseWriter, r *http.Request) {
		scope := tenant.MustFromContext(r.Context()) // behind guard.Require(tenant.PermManageMembers)
		to, err := tenant.ParseRole(r.FormValue("role"))
		if err != nil {
			http.Error(w, "unknown role", http.StatusBadRequest)
			return
		}
		err = tenant.WithTx(r.Context(), db, scope, func(tx *sql.Tx) error {
			return roles.ChangeRole(r.Context(), tx, scope, r.PathValue("user"), to)
		})
		switch {
		case errors.Is(err, tenant.ErrLastOwner):
			http.Error(w, "an organisation needs at least one owner", http.StatusConflict)
		case errors.Is(err, tenant.ErrNotMember):
			http.NotFound(w, r)
		case errors.Is(err, tenant.ErrSelfRoleChange), errors.Is(err, tenant.ErrAboveOwnRole),
			errors.Is(err, tenant.ErrOwnerRequired), errors.Is(err, tenant.ErrForbidden):
			http.Error(w, err.Error(), http.StatusForbidden) // rule messages are safe to show
		case err != nil:
			log.Printf("change role: %v", err) // database errors stay in the log
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}
	_ = changeRole
}

// Role-change rules are pure functions returning one sentinel error per
// rule.
func ExampleCheckInvite() {
	guard := tenant.MustNew(tenant.Config{
		Memberships: memberships(),
		UserID:      func(*http.Request) (string, bool) { return "", false },
	})
	admin, err := guard.UnsafeBackgroundScope("acme", "example", tenant.RoleAdmin)
	if err != nil {
		log.Fatal(err)
	}
	for _, role := range []tenant.Role{tenant.RoleMember, tenant.RoleAdmin, tenant.RoleOwner} {
		fmt.Printf("admin invites %s: %v\n", role, tenant.CheckInvite(admin, role))
	}
	// Output:
	// admin invites member: <nil>
	// admin invites admin: <nil>
	// admin invites owner: tenant: cannot invite with a role above your own
}

// Background jobs have no request to resolve a scope from; they ask for one
// explicitly, and the hook hears about it.
func ExampleGuard_UnsafeBackgroundScope() {
	guard := tenant.MustNew(tenant.Config{
		Memberships: memberships(),
		UserID:      func(*http.Request) (string, bool) { return "", false },
		OnDecision: func(d tenant.Decision) {
			fmt.Printf("audit: %s org=%s job=%s role=%s\n", d.Reason, d.OrgID, d.Job, d.Role)
		},
	})
	scope, err := guard.UnsafeBackgroundScope("acme", "nightly-export", tenant.RoleViewer)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(scope, scope.Can(tenant.PermRead), scope.Can(tenant.PermWrite))
	// Output:
	// audit: background_scope org=acme job=nightly-export role=viewer
	// org=acme job=nightly-export role=viewer true false
}
