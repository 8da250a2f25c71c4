package tenant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OrgSetting is the PostgreSQL run-time setting that carries the org
// scope inside a transaction. Row-level security policies compare against
// current_setting('bulwark.org_id', true); see the package documentation
// for the full policy.
const OrgSetting = "bulwark.org_id"

// TxBeginner is satisfied by *sql.DB and *sql.Conn.
type TxBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

var (
	_ TxBeginner = (*sql.DB)(nil)
	_ TxBeginner = (*sql.Conn)(nil)
)

// BeginTx starts a transaction and opens s's organisation scope in it with
//
//	SELECT set_config('bulwark.org_id', $1, true)
//
// The third argument, true, makes the setting local to the transaction: it
// ends with COMMIT or ROLLBACK, so a pooled connection never carries one
// tenant's scope into another request. Under the row-level security
// policy from the package documentation, every statement in the
// transaction then sees and writes only s's rows, even one that forgets
// its WHERE org_id clause.
//
// It returns [ErrNoScope] for the zero Scope, and rolls the transaction
// back if the scope cannot be set. The caller must Commit or Rollback the
// returned transaction; [WithTx] does that for you.
func BeginTx(ctx context.Context, db TxBeginner, s Scope, opts *sql.TxOptions) (*sql.Tx, error) {
	if s.IsZero() {
		return nil, ErrNoScope
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := SetTxScope(ctx, tx, s); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// SetTxScope opens s's organisation scope inside an existing transaction,
// replacing any scope set earlier in it. Prefer [BeginTx] or [WithTx]. It
// returns [ErrNoScope] for the zero Scope.
func SetTxScope(ctx context.Context, tx *sql.Tx, s Scope) error {
	if s.IsZero() {
		return ErrNoScope
	}
	var got string
	if err := tx.QueryRowContext(ctx, "SELECT set_config('"+OrgSetting+"', $1, true)", s.orgID).Scan(&got); err != nil {
		return fmt.Errorf("tenant: setting %s: %w", OrgSetting, err)
	}
	if got != s.orgID {
		return fmt.Errorf("tenant: setting %s: database kept a different value", OrgSetting)
	}
	return nil
}

// WithTx runs fn inside a transaction opened with [BeginTx]. It commits
// when fn returns nil and rolls back when fn returns an error or panics
// (the panic is re-raised). fn must not Commit or Rollback tx itself.
func WithTx(ctx context.Context, db TxBeginner, s Scope, fn func(tx *sql.Tx) error) (err error) {
	tx, err := BeginTx(ctx, db, s, nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) && err != nil {
				err = errors.Join(err, rbErr)
			}
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	committed = true
	return tx.Commit()
}
