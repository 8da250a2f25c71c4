package tenant

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRoleStoreValidatesNames(t *testing.T) {
	tests := []struct {
		name  string
		cfg   RoleStoreConfig
		field string
	}{
		{"table with a semicolon", RoleStoreConfig{Table: "memberships; DROP TABLE users"}, "Table"},
		{"table with a quote", RoleStoreConfig{Table: `m"x`}, "Table"},
		{"three-part table name", RoleStoreConfig{Table: "db.public.memberships"}, "Table"},
		{"empty schema part", RoleStoreConfig{Table: ".memberships"}, "Table"},
		{"qualified column", RoleStoreConfig{OrgColumn: "m.org_id"}, "OrgColumn"},
		{"column starting with a digit", RoleStoreConfig{UserColumn: "1user"}, "UserColumn"},
		{"column with a space", RoleStoreConfig{RoleColumn: "the role"}, "RoleColumn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewRoleStore(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), "RoleStoreConfig."+tt.field)
		})
	}
	assert.NotPanics(t, func() { MustNewRoleStore(RoleStoreConfig{Table: "app.memberships"}) })
	assert.Panics(t, func() { MustNewRoleStore(RoleStoreConfig{Table: "x y"}) })
}

// seedMembers replaces org A's and org B's memberships.
func seedMembers(t *testing.T, e *pgEnv, a, b map[string]Role) {
	t.Helper()
	e.exec(t, `TRUNCATE `+e.q("memberships"))
	for org, m := range map[string]map[string]Role{orgA: a, orgB: b} {
		for u, r := range m {
			e.exec(t, fmt.Sprintf(`INSERT INTO %s VALUES ('%s', '%s', '%s')`, e.q("memberships"), org, u, r))
		}
	}
}

// membersAsAdmin reads an org's memberships, bypassing RLS.
func membersAsAdmin(t *testing.T, e *pgEnv, org string) map[string]Role {
	t.Helper()
	rows, err := e.admin.Query(`SELECT user_id, role FROM `+e.q("memberships")+` WHERE org_id = $1`, org)
	require.NoError(t, err)
	defer rows.Close()
	got := map[string]Role{}
	for rows.Next() {
		var u, r string
		require.NoError(t, rows.Scan(&u, &r))
		got[u], err = ParseRole(r)
		require.NoError(t, err)
	}
	require.NoError(t, rows.Err())
	return got
}

func (e *pgEnv) roleStore(t *testing.T) *RoleStore {
	t.Helper()
	s, err := NewRoleStore(RoleStoreConfig{Table: e.schema + ".memberships"})
	require.NoError(t, err)
	return s
}

func TestRoleStoreAppliesTheRules(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	store := e.roleStore(t)
	team := map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "mike": RoleMember, "vera": RoleViewer}
	globex := map[string]Role{"gina": RoleOwner, "mike": RoleMember}

	tests := []struct {
		name    string
		actor   Scope
		remove  bool
		target  string
		to      Role
		wantErr error
		wantA   map[string]Role
	}{
		{"admin promotes a viewer to member", e.scope(orgA, "ada", RoleAdmin), false, "vera", RoleMember, nil,
			map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "mike": RoleMember, "vera": RoleMember}},
		{"admin cannot make an owner", e.scope(orgA, "ada", RoleAdmin), false, "mike", RoleOwner, ErrOwnerRequired, team},
		{"owner cannot demote themselves", e.scope(orgA, "olga", RoleOwner), false, "olga", RoleAdmin, ErrSelfRoleChange, team},
		{"a stale scope does not outlive a demotion", e.scope(orgA, "mike", RoleAdmin), false, "vera", RoleMember, ErrForbidden, team},
		{"a removed actor can change nothing", e.scope(orgA, "zed", RoleOwner), false, "vera", RoleMember, ErrForbidden, team},
		{"a member of another org is not a target", e.scope(orgA, "olga", RoleOwner), false, "gina", RoleViewer, ErrNotMember, team},
		{"owner removes a member", e.scope(orgA, "olga", RoleOwner), true, "mike", 0, nil,
			map[string]Role{"olga": RoleOwner, "ada": RoleAdmin, "vera": RoleViewer}},
		{"last owner cannot leave", e.scope(orgA, "olga", RoleOwner), true, "olga", 0, ErrLastOwner, team},
		{"admin cannot remove the owner", e.scope(orgA, "ada", RoleAdmin), true, "olga", 0, ErrAboveOwnRole, team},
		{"removing a non-member reports it", e.scope(orgA, "olga", RoleOwner), true, "nobody", 0, ErrNotMember, team},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seedMembers(t, e, team, globex)
			err := WithTx(ctx, e.app, tt.actor, func(tx *sql.Tx) error {
				if tt.remove {
					return store.Remove(ctx, tx, tt.actor, tt.target)
				}
				return store.ChangeRole(ctx, tx, tt.actor, tt.target, tt.to)
			})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantA, membersAsAdmin(t, e, orgA))
			assert.Equal(t, globex, membersAsAdmin(t, e, orgB), "the other org is never touched")
		})
	}

	// Without the RLS scope the membership table looks empty: fail closed.
	seedMembers(t, e, team, globex)
	tx, err := e.app.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	err = store.ChangeRole(ctx, tx, e.scope(orgA, "olga", RoleOwner), "vera", RoleMember)
	require.ErrorIs(t, err, ErrForbidden)
}

func TestRoleStoreRejectsCorruptRoles(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	e.exec(t, `ALTER TABLE `+e.q("memberships")+` DROP CONSTRAINT memberships_role_check`)
	e.exec(t, `INSERT INTO `+e.q("memberships")+` VALUES ('`+orgA+`', 'olga', 'owner'), ('`+orgA+`', 'eve', 'superadmin')`)
	actor := e.scope(orgA, "olga", RoleOwner)
	err := WithTx(ctx, e.app, actor, func(tx *sql.Tx) error {
		return e.roleStore(t).ChangeRole(ctx, tx, actor, "eve", RoleViewer)
	})
	require.ErrorIs(t, err, ErrInvalidRole)
}

// waitBlocked waits until the backend pid is waiting for a lock held by
// another transaction. It polls the server's own lock table; it does not
// guess a duration.
func waitBlocked(t *testing.T, e *pgEnv, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var blocked bool
		require.NoError(t, e.admin.QueryRow(`SELECT cardinality(pg_blocking_pids($1)) > 0`, pid).Scan(&blocked))
		if blocked {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend %d never blocked on a lock", pid)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// demotion is one side of a concurrent demotion.
type demotion struct {
	actor  Scope
	target string
}

// runInterleaved runs first up to the point where it has changed the row
// but not committed, starts second and waits until the database has it
// blocked behind first's locks, then commits first and lets second finish.
// This is the worst interleaving for a check-then-write race, produced
// deterministically.
func runInterleaved(t *testing.T, e *pgEnv, change func(ctx context.Context, tx *sql.Tx, d demotion) error, first, second demotion) (err1, err2 error) {
	t.Helper()
	ctx := context.Background()
	tx1, err := BeginTx(ctx, e.app, first.actor, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx1.Rollback() }) // releases locks if the test fails midway
	err1 = change(ctx, tx1, first)

	tx2, err := BeginTx(ctx, e.app, second.actor, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx2.Rollback() })
	var pid int
	require.NoError(t, tx2.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid))
	done := make(chan error, 1)
	go func() { done <- change(ctx, tx2, second) }()

	if err1 == nil {
		waitBlocked(t, e, pid)
		require.NoError(t, tx1.Commit())
	} else {
		require.NoError(t, tx1.Rollback())
	}
	err2 = <-done
	if err2 == nil {
		require.NoError(t, tx2.Commit())
	} else {
		require.NoError(t, tx2.Rollback())
	}
	return err1, err2
}

func TestConcurrentDemotionOfTheLastTwoOwners(t *testing.T) {
	e := newPGEnv(t)
	store := e.roleStore(t)
	owners := map[string]Role{"olga": RoleOwner, "otto": RoleOwner, "ada": RoleAdmin}
	job := func(name string) Scope {
		s, err := e.guard.UnsafeBackgroundScope(orgA, name, RoleOwner)
		require.NoError(t, err)
		return s
	}
	viaStore := func(ctx context.Context, tx *sql.Tx, d demotion) error {
		return store.ChangeRole(ctx, tx, d.actor, d.target, RoleAdmin)
	}

	tests := []struct {
		name          string
		first, second demotion
		wantErr2      error
	}{
		{
			"two owners demoting each other: the second actor has been demoted meanwhile",
			demotion{e.scope(orgA, "olga", RoleOwner), "otto"},
			demotion{e.scope(orgA, "otto", RoleOwner), "olga"},
			ErrAboveOwnRole,
		},
		{
			"two jobs demoting one owner each: the second meets the last-owner rule",
			demotion{job("cleanup-1"), "olga"},
			demotion{job("cleanup-2"), "otto"},
			ErrLastOwner,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seedMembers(t, e, owners, nil)
			err1, err2 := runInterleaved(t, e, viaStore, tt.first, tt.second)
			require.NoError(t, err1, "the first demotion succeeds")
			require.ErrorIs(t, err2, tt.wantErr2, "the second demotion is refused")
			assertOneOwner(t, e)
		})
	}

	// The control: counting owners without FOR UPDATE, under exactly the
	// same interleaving, lets both demotions through and leaves the
	// organisation without an owner. This is the bug RoleStore prevents,
	// and it shows the interleaving above is a real race.
	t.Run("control: an unlocked count lets both through", func(t *testing.T) {
		seedMembers(t, e, owners, nil)
		naive := func(ctx context.Context, tx *sql.Tx, d demotion) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+e.q("memberships")+` WHERE role = 'owner'`).Scan(&n); err != nil {
				return err
			}
			if err := CheckRoleChange(d.actor, Member{d.target, RoleOwner}, RoleAdmin, n); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE `+e.q("memberships")+` SET role = 'admin' WHERE user_id = $1`, d.target)
			return err
		}
		// Both transactions count before either writes: take both counts
		// first by running the naive check in two open transactions.
		ctx := context.Background()
		tx1, err := BeginTx(ctx, e.app, job("a"), nil)
		require.NoError(t, err)
		tx2, err := BeginTx(ctx, e.app, job("b"), nil)
		require.NoError(t, err)
		require.NoError(t, naive(ctx, tx1, demotion{job("a"), "olga"}))
		require.NoError(t, naive(ctx, tx2, demotion{job("b"), "otto"}))
		require.NoError(t, tx1.Commit())
		require.NoError(t, tx2.Commit())
		got := membersAsAdmin(t, e, orgA)
		for u, r := range got {
			assert.NotEqual(t, RoleOwner, r, "without locks the org lost every owner, %s included", u)
		}
	})

	// And a free-running race, repeated: whatever the scheduling, exactly
	// one of two simultaneous demotions succeeds.
	t.Run("free-running race, repeated", func(t *testing.T) {
		ctx := context.Background()
		for round := range 10 {
			seedMembers(t, e, owners, nil)
			ds := []demotion{{job("r1"), "olga"}, {job("r2"), "otto"}}
			errs := make([]error, len(ds))
			var start, wg sync.WaitGroup
			start.Add(1)
			for i, d := range ds {
				wg.Go(func() {
					start.Wait()
					errs[i] = WithTx(ctx, e.app, d.actor, func(tx *sql.Tx) error {
						return store.ChangeRole(ctx, tx, d.actor, d.target, RoleAdmin)
					})
				})
			}
			start.Done()
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					require.ErrorIs(t, err, ErrLastOwner, "round %d", round)
				}
			}
			require.Equal(t, 1, ok, "round %d: exactly one demotion succeeds", round)
			assertOneOwner(t, e)
		}
	})
}

func assertOneOwner(t *testing.T, e *pgEnv) {
	t.Helper()
	n := 0
	for _, r := range membersAsAdmin(t, e, orgA) {
		if r == RoleOwner {
			n++
		}
	}
	assert.Equal(t, 1, n, "owners left in the organisation")
}
