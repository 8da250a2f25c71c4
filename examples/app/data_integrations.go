package main

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bulwark-go/bulwark/tenant"
)

// integration is one org's connection to an issue tracker. TokenSealed is
// the sealbox text form; TokenMasked is sealbox.Mask of the plaintext,
// computed once when saved, so pages never need to open the token.
type integration struct {
	OrgID       string
	Kind        string
	BaseURL     string
	TokenSealed string
	TokenMasked string
	UpdatedBy   string
	UpdatedAt   time.Time
}

func (d *db) integrations(ctx context.Context, s tenant.Scope) ([]integration, error) {
	var out []integration
	err := d.scoped(ctx, s, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT org_id, kind, base_url, token_sealed, token_masked, updated_by, updated_at FROM integrations WHERE org_id = $1 ORDER BY kind`, s.OrgID())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var in integration
			var at int64
			if err := rows.Scan(&in.OrgID, &in.Kind, &in.BaseURL, &in.TokenSealed, &in.TokenMasked, &in.UpdatedBy, &at); err != nil {
				return err
			}
			in.UpdatedAt = time.Unix(at, 0).UTC()
			out = append(out, in)
		}
		return rows.Err()
	})
	return out, err
}

func (d *db) saveIntegration(ctx context.Context, s tenant.Scope, in integration) error {
	return d.scoped(ctx, s, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO integrations (org_id, kind, base_url, token_sealed, token_masked, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (org_id, kind) DO UPDATE SET base_url = excluded.base_url, token_sealed = excluded.token_sealed,
				token_masked = excluded.token_masked, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			s.OrgID(), in.Kind, in.BaseURL, in.TokenSealed, in.TokenMasked, s.UserID(), in.UpdatedAt.Unix())
		return err
	})
}

func (d *db) deleteIntegration(ctx context.Context, s tenant.Scope, kind string) (bool, error) {
	var n int64
	err := d.scoped(ctx, s, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM integrations WHERE org_id = $1 AND kind = $2`, s.OrgID(), kind)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// allIntegrations lists every org's sealed tokens for key rotation, a
// trusted offline job. On PostgreSQL it walks orgs with a background
// scope each, since row-level security hides rows outside the scope.
func (d *db) allIntegrations(ctx context.Context, bg func(orgID string) (tenant.Scope, error)) ([]integration, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT id FROM orgs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var orgIDs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		orgIDs = append(orgIDs, id)
	}
	rows.Close()
	var out []integration
	for _, id := range orgIDs {
		s, err := bg(id)
		if err != nil {
			return nil, err
		}
		ins, err := d.integrations(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, ins...)
	}
	return out, nil
}

// replaceSealed swaps a sealed token if it is unchanged since it was read.
func (d *db) replaceSealed(ctx context.Context, s tenant.Scope, kind, old, sealed string) error {
	return d.scoped(ctx, s, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE integrations SET token_sealed = $1 WHERE org_id = $2 AND kind = $3 AND token_sealed = $4`, sealed, s.OrgID(), kind, old)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("changed concurrently")
		}
		return nil
	})
}

// agentAction is something the simulated assistant wants to do that needs
// an admin's approval first.
type agentAction struct {
	ID         string
	OrgID      string
	Summary    string
	Status     string // pending, approved, rejected
	ProposedBy string
	DecidedBy  string
	CreatedAt  time.Time
}

func (d *db) createAction(ctx context.Context, s tenant.Scope, a agentAction) error {
	return d.scoped(ctx, s, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agent_actions (id, org_id, summary, status, proposed_by, created_at) VALUES ($1, $2, $3, 'pending', $4, $5)`,
			a.ID, s.OrgID(), a.Summary, s.UserID(), a.CreatedAt.Unix())
		return err
	})
}

func (d *db) actions(ctx context.Context, s tenant.Scope) ([]agentAction, error) {
	var out []agentAction
	err := d.scoped(ctx, s, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, org_id, summary, status, proposed_by, decided_by, created_at FROM agent_actions WHERE org_id = $1 ORDER BY created_at DESC, id`, s.OrgID())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a agentAction
			var at int64
			if err := rows.Scan(&a.ID, &a.OrgID, &a.Summary, &a.Status, &a.ProposedBy, &a.DecidedBy, &at); err != nil {
				return err
			}
			a.CreatedAt = time.Unix(at, 0).UTC()
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

func (d *db) action(ctx context.Context, s tenant.Scope, id string) (agentAction, error) {
	var a agentAction
	err := d.scoped(ctx, s, func(tx *sql.Tx) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT id, org_id, summary, status, proposed_by, decided_by, created_at FROM agent_actions WHERE org_id = $1 AND id = $2`, s.OrgID(), id).
			Scan(&a.ID, &a.OrgID, &a.Summary, &a.Status, &a.ProposedBy, &a.DecidedBy, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		a.CreatedAt = time.Unix(at, 0).UTC()
		return err
	})
	return a, err
}

// decideAction moves a pending action to status; it fails with
// errNotFound when the action is missing or already decided.
func (d *db) decideAction(ctx context.Context, s tenant.Scope, id, status string, now time.Time) error {
	return d.scoped(ctx, s, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE agent_actions SET status = $1, decided_by = $2, decided_at = $3 WHERE org_id = $4 AND id = $5 AND status = 'pending'`,
			status, s.UserID(), now.Unix(), s.OrgID(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errNotFound
		}
		return nil
	})
}
