package main

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bulwark-go/bulwark/tenant"
)

type org struct {
	ID   string
	Name string
	Role tenant.Role // the viewing user's role, in listings
}

type member struct {
	UserID string
	Email  string
	Name   string
	Role   tenant.Role
}

// Membership implements tenant.Memberships with one indexed lookup, so a
// missing organisation and a non-member are indistinguishable.
func (d *db) Membership(ctx context.Context, orgID, userID string) (tenant.Role, bool, error) {
	return membership(ctx, d.sql, orgID, userID)
}

// membership reads userID's role in orgID through q (the database, or a
// transaction). A stored role that tenant.ParseRole rejects is an error:
// fail closed on a corrupt row.
func membership(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, orgID, userID string) (tenant.Role, bool, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2`, orgID, userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	r, err := tenant.ParseRole(name)
	if err != nil {
		return 0, false, err
	}
	return r, true, nil
}

func (d *db) createOrg(ctx context.Context, o org, ownerID string, now time.Time) error {
	return d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)`, o.ID, o.Name, now.Unix()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner')`, o.ID, ownerID)
		return err
	})
}

func (d *db) orgsForUser(ctx context.Context, userID string) ([]org, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT o.id, o.name, m.role FROM orgs o JOIN memberships m ON m.org_id = o.id WHERE m.user_id = $1 ORDER BY o.name`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org
	for rows.Next() {
		var o org
		var role string
		if err := rows.Scan(&o.ID, &o.Name, &role); err != nil {
			return nil, err
		}
		if o.Role, err = tenant.ParseRole(role); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// orgName returns the scope's organisation name.
func (d *db) orgName(ctx context.Context, s tenant.Scope) (string, error) {
	var name string
	err := d.sql.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, s.OrgID()).Scan(&name)
	return name, err
}

func (d *db) members(ctx context.Context, s tenant.Scope) ([]member, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT u.id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 ORDER BY u.email`, s.OrgID())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []member
	for rows.Next() {
		var m member
		var role string
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &role); err != nil {
			return nil, err
		}
		if m.Role, err = tenant.ParseRole(role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// lockedFacts reads, inside tx, the owner count and the target's current
// membership, for tenant.CheckRoleChange and tenant.CheckRemoval. The
// actor's role is re-read too: it may have been lowered since the request's
// Scope was made, and then the change is refused (tenant.ErrForbidden,
// retry). On SQLite the single connection and immediate transactions
// serialise writers; on PostgreSQL tenant.RoleStore locks rows instead.
func lockedFacts(ctx context.Context, tx *sql.Tx, actor tenant.Scope, targetID string) (target tenant.Member, owners int, err error) {
	if err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'`, actor.OrgID()).Scan(&owners); err != nil {
		return
	}
	actorRole, actorFound, err := membership(ctx, tx, actor.OrgID(), actor.UserID())
	if err != nil {
		return
	}
	if !actorFound {
		err = tenant.ErrForbidden
		return
	}
	targetRole, targetFound, err := membership(ctx, tx, actor.OrgID(), targetID)
	switch {
	case err != nil:
	case !targetFound:
		err = tenant.ErrNotMember
	case actorRole != actor.Role():
		err = tenant.ErrForbidden // role changed since the request began; retry
	}
	return tenant.Member{UserID: targetID, Role: targetRole}, owners, err
}

// changeRole applies tenant.CheckRoleChange with fresh facts read inside the
// same transaction that writes.
func (d *db) changeRole(ctx context.Context, actor tenant.Scope, targetID string, to tenant.Role) error {
	if d.postgres {
		return tenant.WithTx(ctx, d.sql, actor, func(tx *sql.Tx) error {
			return d.roles.ChangeRole(ctx, tx, actor, targetID, to)
		})
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		target, owners, err := lockedFacts(ctx, tx, actor, targetID)
		if err != nil {
			return err
		}
		if err := tenant.CheckRoleChange(actor, target, to, owners); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET role = $1 WHERE org_id = $2 AND user_id = $3`, to.String(), actor.OrgID(), targetID)
		return err
	})
}

// removeMember applies tenant.CheckRemoval the same way; targetID ==
// actor.UserID() is "leave".
func (d *db) removeMember(ctx context.Context, actor tenant.Scope, targetID string) error {
	if d.postgres {
		return tenant.WithTx(ctx, d.sql, actor, func(tx *sql.Tx) error {
			return d.roles.Remove(ctx, tx, actor, targetID)
		})
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		target, owners, err := lockedFacts(ctx, tx, actor, targetID)
		if err != nil {
			return err
		}
		if err := tenant.CheckRemoval(actor, target, owners); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, actor.OrgID(), targetID)
		return err
	})
}

// invite is a pending invitation; its link token lives in authn.Tokens with
// the invite ID as subject, so only the token's hash is stored.
type invite struct {
	ID        string
	OrgID     string
	Role      tenant.Role
	InvitedBy string
}

func (d *db) createInvite(ctx context.Context, s tenant.Scope, inv invite, now time.Time) error {
	return d.scoped(ctx, s, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO invites (id, org_id, role, invited_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			inv.ID, s.OrgID(), inv.Role.String(), s.UserID(), now.Unix())
		return err
	})
}

// takeInvite deletes and returns an invitation. Accepting happens before
// the user belongs to the org, so there is no request Scope; the caller
// passes a background scope for the invite's org (whose ID came from our
// own database row, never from the request).
func (d *db) takeInvite(ctx context.Context, bg tenant.Scope, id string) (invite, error) {
	var inv invite
	err := d.scoped(ctx, bg, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT id, org_id, role, invited_by FROM invites WHERE id = $1 AND org_id = $2`, id, bg.OrgID()).Scan(&inv.ID, &inv.OrgID, &role, &inv.InvitedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound
		}
		if err != nil {
			return err
		}
		if inv.Role, err = tenant.ParseRole(role); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM invites WHERE id = $1 AND org_id = $2`, id, bg.OrgID())
		return err
	})
	return inv, err
}

// addMember inserts a membership for an accepted invitation; an existing
// member keeps their role.
func (d *db) addMember(ctx context.Context, orgID, userID string, role tenant.Role) (added bool, err error) {
	res, err := d.sql.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, orgID, userID, role.String())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
