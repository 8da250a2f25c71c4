package tenant

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedProjects stores two projects for org A and one for org B, as the
// superuser (bypassing RLS).
func seedProjects(t *testing.T, e *pgEnv) {
	t.Helper()
	e.exec(t, `INSERT INTO `+e.q("projects")+` (org_id, name) VALUES
		('`+orgA+`', 'a-one'), ('`+orgA+`', 'a-two'), ('`+orgB+`', 'b-secret')`)
}

// namesAsAdmin lists every project with its org, bypassing RLS.
func namesAsAdmin(t *testing.T, e *pgEnv) map[string]string {
	t.Helper()
	rows, err := e.admin.Query(`SELECT name, org_id::text FROM ` + e.q("projects"))
	require.NoError(t, err)
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var n, o string
		require.NoError(t, rows.Scan(&n, &o))
		got[n] = o
	}
	require.NoError(t, rows.Err())
	return got
}

func queryNames(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

func TestRLSConfinesQueriesToTheScope(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	projects := e.q("projects")
	a := e.scope(orgA, "olga", RoleOwner)

	tests := []struct {
		name string
		run  func(t *testing.T, tx *sql.Tx)
	}{
		{"a SELECT without WHERE org_id sees only the scope's rows", func(t *testing.T, tx *sql.Tx) {
			names, err := queryNames(ctx, tx, `SELECT name FROM `+projects+` ORDER BY name`)
			require.NoError(t, err)
			assert.Equal(t, []string{"a-one", "a-two"}, names)
		}},
		{"a SELECT naming the other org explicitly sees nothing", func(t *testing.T, tx *sql.Tx) {
			names, err := queryNames(ctx, tx, `SELECT name FROM `+projects+` WHERE org_id = '`+orgB+`'`)
			require.NoError(t, err)
			assert.Empty(t, names)
		}},
		{"an UPDATE without WHERE touches only the scope's rows", func(t *testing.T, tx *sql.Tx) {
			res, err := tx.ExecContext(ctx, `UPDATE `+projects+` SET name = name || '-renamed'`)
			require.NoError(t, err)
			n, _ := res.RowsAffected()
			assert.Equal(t, int64(2), n)
		}},
		{"a DELETE aimed at the other org deletes nothing", func(t *testing.T, tx *sql.Tx) {
			res, err := tx.ExecContext(ctx, `DELETE FROM `+projects+` WHERE org_id = '`+orgB+`'`)
			require.NoError(t, err)
			n, _ := res.RowsAffected()
			assert.Equal(t, int64(0), n)
		}},
		{"an INSERT into the other org is refused", func(t *testing.T, tx *sql.Tx) {
			_, err := tx.ExecContext(ctx, `INSERT INTO `+projects+` (org_id, name) VALUES ('`+orgB+`', 'planted')`)
			require.Error(t, err)
			assert.Equal(t, "42501", pgCode(err), "insufficient_privilege (RLS WITH CHECK): %v", err)
		}},
		{"an UPDATE moving rows to the other org is refused", func(t *testing.T, tx *sql.Tx) {
			_, err := tx.ExecContext(ctx, `UPDATE `+projects+` SET org_id = '`+orgB+`'`)
			require.Error(t, err)
			assert.Equal(t, "42501", pgCode(err), "%v", err)
		}},
		{"an INSERT into the scope's own org works", func(t *testing.T, tx *sql.Tx) {
			_, err := tx.ExecContext(ctx, `INSERT INTO `+projects+` (org_id, name) VALUES ('`+orgA+`', 'a-three')`)
			require.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.exec(t, `TRUNCATE `+projects)
			seedProjects(t, e)
			before := namesAsAdmin(t, e)
			require.Len(t, before, 3, "seed must be visible to the superuser")

			tx, err := BeginTx(ctx, e.app, a, nil)
			require.NoError(t, err)
			tt.run(t, tx)
			require.NoError(t, tx.Rollback())

			after := namesAsAdmin(t, e)
			assert.Equal(t, orgB, after["b-secret"], "org B's row is untouched")
		})
	}
}

func TestRLSWithoutScopeSeesNothing(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	seedProjects(t, e)
	projects := e.q("projects")
	e.app.SetMaxOpenConns(1) // every step reuses the one pooled connection

	// Step through one connection's life: unscoped, scoped, and unscoped
	// again after the scoped transaction ends either way.
	steps := []struct {
		name  string
		run   func() ([]string, error)
		names []string
	}{
		{"plain query before any scope", func() ([]string, error) {
			return queryNames(ctx, e.app, `SELECT name FROM `+projects)
		}, nil},
		{"transaction without set_config", func() ([]string, error) {
			tx, err := e.app.BeginTx(ctx, nil)
			if err != nil {
				return nil, err
			}
			defer func() { _ = tx.Rollback() }()
			return queryNames(ctx, tx, `SELECT name FROM `+projects)
		}, nil},
		{"scoped transaction that commits", func() ([]string, error) {
			var names []string
			err := WithTx(ctx, e.app, e.scope(orgB, "gina", RoleOwner), func(tx *sql.Tx) error {
				var err error
				names, err = queryNames(ctx, tx, `SELECT name FROM `+projects)
				return err
			})
			return names, err
		}, []string{"b-secret"}},
		{"plain query after the scoped transaction committed", func() ([]string, error) {
			return queryNames(ctx, e.app, `SELECT name FROM `+projects)
		}, nil},
		{"scoped transaction that rolls back", func() ([]string, error) {
			var names []string
			err := WithTx(ctx, e.app, e.scope(orgB, "gina", RoleOwner), func(tx *sql.Tx) error {
				names, _ = queryNames(ctx, tx, `SELECT name FROM `+projects)
				return errors.New("abort")
			})
			if err == nil || err.Error() != "abort" {
				return nil, errors.New("WithTx did not return fn's error")
			}
			return names, nil
		}, []string{"b-secret"}},
		{"plain query after the scoped transaction rolled back", func() ([]string, error) {
			return queryNames(ctx, e.app, `SELECT name FROM `+projects)
		}, nil},
	}
	for i, st := range steps {
		names, err := st.run()
		require.NoError(t, err, "step %d: %s", i, st.name)
		assert.Equal(t, st.names, names, "step %d: %s", i, st.name)
	}

	_, err := e.app.ExecContext(ctx, `INSERT INTO `+projects+` (org_id, name) VALUES ('`+orgA+`', 'unscoped')`)
	require.Error(t, err, "an unscoped INSERT is refused")
	assert.Equal(t, "42501", pgCode(err))
}

func TestBeginTxRefusesTheZeroScope(t *testing.T) {
	// No database needed: the check comes first.
	_, err := BeginTx(context.Background(), nil, Scope{}, nil)
	require.ErrorIs(t, err, ErrNoScope)
	require.ErrorIs(t, WithTx(context.Background(), nil, Scope{}, func(*sql.Tx) error { return nil }), ErrNoScope)
	require.ErrorIs(t, SetTxScope(context.Background(), nil, Scope{}), ErrNoScope)
}

func TestWithTxRollsBackOnPanic(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	a := e.scope(orgA, "olga", RoleOwner)
	require.Panics(t, func() {
		_ = WithTx(ctx, e.app, a, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO `+e.q("projects")+` (org_id, name) VALUES ('`+orgA+`', 'half-done')`)
			require.NoError(t, err)
			panic("boom")
		})
	})
	assert.Empty(t, namesAsAdmin(t, e), "the insert was rolled back")

	require.NoError(t, WithTx(ctx, e.app, a, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO `+e.q("projects")+` (org_id, name) VALUES ('`+orgA+`', 'kept')`)
		return err
	}))
	assert.Equal(t, map[string]string{"kept": orgA}, namesAsAdmin(t, e))
}
