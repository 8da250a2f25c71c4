package tenant

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/internal/testpg"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"
)

// Org IDs are UUIDs so that the policy under test is the one documented,
// cast and all.
const (
	orgA = "0b6e1a52-5a47-4a37-9d0e-0f5c8d7e6a21"
	orgB = "7d3f0c1e-9a84-4e5b-8f2a-6c1d2e3f4a5b"
)

// pgEnv is one test's private corner of the real PostgreSQL server: a
// fresh schema with RLS-protected tables, and an application role that
// neither owns them nor bypasses RLS.
type pgEnv struct {
	admin  *sql.DB // superuser: sets up, seeds and inspects, bypassing RLS
	app    *sql.DB // every connection runs as the restricted app role
	schema string
	guard  *Guard
}

// q qualifies a table name with the test's schema.
func (e *pgEnv) q(table string) string { return e.schema + "." + table }

func newPGEnv(t *testing.T) *pgEnv {
	t.Helper()
	admin := testpg.Open(t)
	cfg, err := pgx.ParseConfig(testpg.URL())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	var b [6]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	e := &pgEnv{admin: admin, schema: "bulwark_tenant_" + suffix}
	role := "bulwark_tenant_app_" + suffix

	setup := []string{
		`CREATE SCHEMA ` + e.schema,
		`CREATE ROLE ` + role + ` NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT`,
		`GRANT USAGE ON SCHEMA ` + e.schema + ` TO ` + role,

		`CREATE TABLE ` + e.q("projects") + ` (
			id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			org_id uuid NOT NULL,
			name   text NOT NULL)`,
		`CREATE TABLE ` + e.q("memberships") + ` (
			org_id  uuid NOT NULL,
			user_id text NOT NULL,
			role    text NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
			PRIMARY KEY (org_id, user_id))`,
	}
	for _, table := range []string{"projects", "memberships"} {
		setup = append(setup,
			`GRANT SELECT, INSERT, UPDATE, DELETE ON `+e.q(table)+` TO `+role,
			`ALTER TABLE `+e.q(table)+` ENABLE ROW LEVEL SECURITY`,
			`ALTER TABLE `+e.q(table)+` FORCE ROW LEVEL SECURITY`,
			// The policy exactly as documented in doc.go.
			`CREATE POLICY `+table+`_tenant ON `+e.q(table)+`
			  USING      (org_id = NULLIF(current_setting('bulwark.org_id', true), '')::uuid)
			  WITH CHECK (org_id = NULLIF(current_setting('bulwark.org_id', true), '')::uuid)`,
		)
	}
	t.Cleanup(func() {
		if e.app != nil {
			_ = e.app.Close()
		}
		ctx := context.Background()
		_, err1 := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+e.schema+` CASCADE`)
		_, err2 := admin.ExecContext(ctx, `DROP ROLE IF EXISTS `+role)
		if err1 != nil || err2 != nil {
			t.Errorf("cleanup: %v, %v", err1, err2)
		}
	})
	for _, stmt := range setup {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("setup %q: %v", stmt, err)
		}
	}

	e.app = stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "SET ROLE "+role)
		return err
	}))
	// Prove the app connection really is restricted; otherwise every RLS
	// assertion below would be meaningless.
	var super, bypass bool
	require.NoError(t, e.app.QueryRowContext(ctx,
		`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass))
	require.False(t, super, "app role must not be a superuser")
	require.False(t, bypass, "app role must not have BYPASSRLS")

	e.guard = newGuard(t, Config{})
	return e
}

// scope makes a request scope as the middleware would after a lookup.
func (e *pgEnv) scope(org, user string, role Role) Scope {
	return Scope{orgID: org, actor: user, role: role, kind: kindRequest, g: e.guard}
}

// exec runs statements as the superuser.
func (e *pgEnv) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		_, err := e.admin.Exec(s)
		require.NoError(t, err, s)
	}
}

// pgCode returns err's SQLSTATE, or "".
func pgCode(err error) string {
	var pe interface{ SQLState() string }
	if errors.As(err, &pe) {
		return pe.SQLState()
	}
	return ""
}
