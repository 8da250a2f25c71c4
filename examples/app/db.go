package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"

	"github.com/bulwark-go/bulwark/tenant"
)

// db is the app's data layer over database/sql. Every query uses $N
// placeholders, which both SQLite and PostgreSQL understand.
//
// Org-scoped data (integrations, invitations, agent actions) is read and
// written only through methods that take a tenant.Scope and filter by its
// OrgID; on PostgreSQL those run inside tenant.WithTx so the row-level
// security policies of the migrations hold even for a query that forgot its
// WHERE clause.
type db struct {
	sql      *sql.DB
	postgres bool
	roles    *tenant.RoleStore // PostgreSQL only
	// rlsBypassed: the PostgreSQL role is a superuser or has BYPASSRLS, so
	// the row-level security policies do not apply to it.
	rlsBypassed bool
}

var errNotFound = errors.New("not found")

// openSQLite opens (creating) the SQLite database at path and migrates it.
func openSQLite(ctx context.Context, path string) (*db, error) {
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_txlock=immediate"
	s, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection: SQLite serialises writers anyway, and a single
	// connection makes every read-check-write transaction (role changes,
	// last-owner rule) atomic without lock upgrades.
	s.SetMaxOpenConns(1)
	d := &db{sql: s}
	if err := d.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return d, nil
}

func (d *db) Close() error { return d.sql.Close() }

const schema = `
CREATE TABLE IF NOT EXISTS users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_sealed TEXT NOT NULL DEFAULT '',
	totp_enabled INTEGER NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS orgs (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS memberships (
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role TEXT NOT NULL CHECK (role IN ('viewer','member','admin','owner')),
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX IF NOT EXISTS memberships_user ON memberships(user_id);
CREATE TABLE IF NOT EXISTS invites (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	invited_by TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS integrations (
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	base_url TEXT NOT NULL,
	token_sealed TEXT NOT NULL,
	token_masked TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, kind)
);
CREATE TABLE IF NOT EXISTS backup_codes (
	user_id TEXT NOT NULL,
	hash TEXT NOT NULL,
	PRIMARY KEY (user_id, hash)
);
CREATE TABLE IF NOT EXISTS agent_actions (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	summary TEXT NOT NULL,
	status TEXT NOT NULL,
	proposed_by TEXT NOT NULL,
	decided_by TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS agent_actions_org ON agent_actions(org_id);
`

// rlsSchema enables the tenant package's row-level security policy on the
// org-scoped tables (PostgreSQL only). FORCE makes it apply to the table
// owner too, which is the role the app connects as.
var rlsTables = []string{"invites", "integrations", "agent_actions"}

func (d *db) migrate(ctx context.Context) error {
	for stmt := range strings.SplitSeq(schema, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := d.sql.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	if !d.postgres {
		return nil
	}
	for _, t := range rlsTables {
		for _, stmt := range []string{
			`ALTER TABLE ` + t + ` ENABLE ROW LEVEL SECURITY`,
			`ALTER TABLE ` + t + ` FORCE ROW LEVEL SECURITY`,
			`DROP POLICY IF EXISTS tenant_isolation ON ` + t,
			`CREATE POLICY tenant_isolation ON ` + t + ` USING (org_id = current_setting('` + tenant.OrgSetting + `', true)) WITH CHECK (org_id = current_setting('` + tenant.OrgSetting + `', true))`,
		} {
			if _, err := d.sql.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate %s: %w", t, err)
			}
		}
	}
	return nil
}

// scoped runs fn in a transaction limited to s's organisation: on
// PostgreSQL through tenant.WithTx (row-level security), on SQLite a plain
// transaction whose queries filter by s.OrgID() themselves.
func (d *db) scoped(ctx context.Context, s tenant.Scope, fn func(tx *sql.Tx) error) error {
	if s.IsZero() {
		return tenant.ErrNoScope
	}
	if d.postgres {
		return tenant.WithTx(ctx, d.sql, s, fn)
	}
	return d.tx(ctx, fn)
}

// tx runs fn in an unscoped transaction (user-level data).
func (d *db) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint") || strings.Contains(s, "SQLSTATE 23505")
}
