package tenant

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// RoleStoreConfig names the application's PostgreSQL membership table for
// a [RoleStore]. The zero value means a table "memberships" with columns
// "org_id", "user_id" and "role", where role holds the role names printed
// by [Role.String] ("viewer", "member", "admin", "owner") as text.
//
// Names are quoted in the generated SQL, so give them exactly as stored in
// the catalog (lower case unless created with quotes). Each must be a
// plain identifier (letters, digits, '_'; not starting with a digit);
// Table may be schema-qualified as "schema.table".
type RoleStoreConfig struct {
	Table      string // default "memberships"
	OrgColumn  string // default "org_id"
	UserColumn string // default "user_id"
	RoleColumn string // default "role"
}

// RoleStore applies the role-change rules to a PostgreSQL membership table
// safely under concurrency: it locks the organisation's owner rows, the
// actor's row and the target's row with SELECT … FOR UPDATE, counts
// owners, re-reads the actor's current role, checks the rule, and writes,
// all inside the caller's transaction. Two owners demoting each other (or
// two jobs demoting the last two owners) at the same moment therefore
// cannot both succeed.
//
// The SQL is PostgreSQL's. A RoleStore is immutable and safe for
// concurrent use; create it with [NewRoleStore].
type RoleStore struct {
	lockSQL, updateSQL, deleteSQL string
}

// NewRoleStore validates the names in cfg and precomputes the statements.
func NewRoleStore(cfg RoleStoreConfig) (*RoleStore, error) {
	def := func(s, d string) string {
		if s == "" {
			return d
		}
		return s
	}
	table, err := quoteName(def(cfg.Table, "memberships"), true)
	if err != nil {
		return nil, fmt.Errorf("tenant: RoleStoreConfig.Table: %w", err)
	}
	cols := [3]string{}
	for i, c := range []struct{ field, val, def string }{
		{"OrgColumn", cfg.OrgColumn, "org_id"},
		{"UserColumn", cfg.UserColumn, "user_id"},
		{"RoleColumn", cfg.RoleColumn, "role"},
	} {
		if cols[i], err = quoteName(def(c.val, c.def), false); err != nil {
			return nil, fmt.Errorf("tenant: RoleStoreConfig.%s: %w", c.field, err)
		}
	}
	org, user, role := cols[0], cols[1], cols[2]
	return &RoleStore{
		// ORDER BY makes every transaction take the row locks in the same
		// order, which avoids deadlocks between concurrent changes.
		lockSQL: "SELECT " + user + ", " + role + " FROM " + table +
			" WHERE " + org + " = $1 AND (" + role + " = 'owner' OR " + user + " IN ($2, $3))" +
			" ORDER BY " + user + " FOR UPDATE",
		updateSQL: "UPDATE " + table + " SET " + role + " = $3 WHERE " + org + " = $1 AND " + user + " = $2",
		deleteSQL: "DELETE FROM " + table + " WHERE " + org + " = $1 AND " + user + " = $2",
	}, nil
}

// MustNewRoleStore is like [NewRoleStore] but panics on error.
func MustNewRoleStore(cfg RoleStoreConfig) *RoleStore {
	s, err := NewRoleStore(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

// Locked is what [RoleStore.Lock] found with the rows locked.
type Locked struct {
	// Actor is the acting user's current membership; valid only if
	// ActorFound.
	Actor      Member
	ActorFound bool
	// Target is the target's current membership; valid only if
	// TargetFound.
	Target      Member
	TargetFound bool
	// Owners is the number of owners, all of whose rows are now locked
	// until the transaction ends.
	Owners int
}

// Lock locks, inside tx, the rows of every owner of orgID and the rows of
// actorUserID and targetUserID (either may be "" for none), and returns
// their current memberships and the owner count. The locks last until tx
// ends, so what it returns stays true for the rest of the transaction. Use
// it to apply [CheckRoleChange] or [CheckRemoval] to custom writes;
// [RoleStore.ChangeRole] and [RoleStore.Remove] use it.
//
// A stored role that [ParseRole] rejects is an error (fail closed).
func (s *RoleStore) Lock(ctx context.Context, tx *sql.Tx, orgID, actorUserID, targetUserID string) (Locked, error) {
	rows, err := tx.QueryContext(ctx, s.lockSQL, orgID, actorUserID, targetUserID)
	if err != nil {
		return Locked{}, fmt.Errorf("tenant: locking memberships: %w", err)
	}
	defer rows.Close()
	var l Locked
	for rows.Next() {
		var u, name string
		if err := rows.Scan(&u, &name); err != nil {
			return Locked{}, fmt.Errorf("tenant: locking memberships: %w", err)
		}
		r, err := ParseRole(name)
		if err != nil {
			return Locked{}, fmt.Errorf("tenant: locking memberships: stored %w", err)
		}
		if r == RoleOwner {
			l.Owners++
		}
		if u != "" && u == actorUserID {
			l.Actor, l.ActorFound = Member{UserID: u, Role: r}, true
		}
		if u != "" && u == targetUserID {
			l.Target, l.TargetFound = Member{UserID: u, Role: r}, true
		}
	}
	if err := rows.Err(); err != nil {
		return Locked{}, fmt.Errorf("tenant: locking memberships: %w", err)
	}
	return l, nil
}

// ChangeRole sets targetUserID's role in actor's organisation to to,
// inside tx, if [CheckRoleChange] allows it with the rows locked and the
// actor's current role (which may be lower than the Scope's if it changed
// since the request began). The organisation is always actor.OrgID();
// there is no way to name another. It returns [ErrNotMember] if the target
// is not a member, [ErrForbidden] if the actor no longer is, the rule's
// error if the change is refused, or a database error. The caller commits
// tx on success and rolls it back otherwise.
//
// tx should come from [BeginTx] with the same actor when the membership
// table is under row-level security. Under REPEATABLE READ or SERIALIZABLE
// isolation a concurrent change makes PostgreSQL abort one transaction
// with a serialization failure (SQLSTATE 40001), which the caller should
// retry; under the default READ COMMITTED the second transaction waits and
// then sees the first one's result.
func (s *RoleStore) ChangeRole(ctx context.Context, tx *sql.Tx, actor Scope, targetUserID string, to Role) error {
	if actor.IsZero() {
		return ErrNoScope
	}
	l, actor, err := s.lockFresh(ctx, tx, actor, targetUserID)
	if err != nil {
		return err
	}
	if err := CheckRoleChange(actor, l.Target, to, l.Owners); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.updateSQL, actor.orgID, targetUserID, to.String()); err != nil {
		return fmt.Errorf("tenant: changing role: %w", err)
	}
	return nil
}

// Remove deletes targetUserID's membership of actor's organisation, inside
// tx, if [CheckRemoval] allows it with the rows locked. Errors and
// transaction handling are as for [RoleStore.ChangeRole].
func (s *RoleStore) Remove(ctx context.Context, tx *sql.Tx, actor Scope, targetUserID string) error {
	if actor.IsZero() {
		return ErrNoScope
	}
	l, actor, err := s.lockFresh(ctx, tx, actor, targetUserID)
	if err != nil {
		return err
	}
	if err := CheckRemoval(actor, l.Target, l.Owners); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.deleteSQL, actor.orgID, targetUserID); err != nil {
		return fmt.Errorf("tenant: removing member: %w", err)
	}
	return nil
}

// lockFresh locks the rows for a change by actor to targetUserID and
// returns actor with its role as stored now: the Scope was resolved at the
// start of the request and a concurrent change may have demoted the actor
// since. An actor who is no longer a member gets ErrForbidden.
func (s *RoleStore) lockFresh(ctx context.Context, tx *sql.Tx, actor Scope, targetUserID string) (Locked, Scope, error) {
	l, err := s.Lock(ctx, tx, actor.orgID, actor.UserID(), targetUserID)
	if err != nil {
		return Locked{}, actor, err
	}
	if actor.kind == kindRequest {
		if !l.ActorFound {
			return Locked{}, actor, ErrForbidden
		}
		actor.role = l.Actor.Role
	}
	if !l.TargetFound {
		return Locked{}, actor, ErrNotMember
	}
	return l, actor, nil
}

// quoteName validates a plain SQL identifier (optionally schema-qualified)
// and returns it double-quoted.
func quoteName(name string, qualified bool) (string, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 || (len(parts) == 2 && !qualified) {
		return "", fmt.Errorf("%q is not a plain identifier", truncate(name, 64))
	}
	for i, p := range parts {
		if !validIdent(p) {
			return "", fmt.Errorf("%q is not a plain identifier", truncate(name, 64))
		}
		parts[i] = `"` + p + `"`
	}
	return strings.Join(parts, "."), nil
}

// validIdent reports whether s is a plain SQL identifier of at most 63
// bytes (PostgreSQL's limit) with the character set of a ServeMux wildcard.
func validIdent(s string) bool { return len(s) <= 63 && validWildcard(s) }
