// Package tenant keeps every request inside the one organisation its user
// belongs to, and enforces who may do what there.
//
// Multi-tenant apps scope all data by an organisation ID and fail in the
// same few ways: a handler trusts an org ID from the URL without checking
// membership, a query forgets its WHERE org_id clause, an error page
// reveals that another tenant exists, or an admin quietly makes themselves
// owner. This package makes each of those hard to write by accident.
//
// For most uses, call [New] once with your membership lookup and your
// authentication hook, wrap each org-scoped route with [Guard.Require],
// read the [Scope] in the handler with [FromContext], and open database
// transactions with [BeginTx] so PostgreSQL row-level security enforces
// the same scope again.
//
// # Roles and permissions
//
// A [Role] is one of viewer < member < admin < owner. A [Permission] (such
// as [PermRead], [PermWrite], [PermManageMembers], [PermViewAudit]) is held
// by every role at or above its minimum role in the guard's table,
// [DefaultPermissions] unless [Config.Permissions] extends or replaces it.
// [Scope.Can] answers "may this scope do p?".
//
// # Middleware
//
// [Guard.Require] resolves, for every request: the user, through
// [Config.UserID] (your authentication layer); the organisation, from the
// "{org}" path wildcard by default ([Config.OrgPathValue],
// [Config.OrgHeader], [Config.OrgFunc]); and the membership, through your
// [Memberships] backend. The outcomes:
//
//   - no user: 401 ([Config.UnauthenticatedHandler]);
//   - malformed org ID, nonexistent organisation, or not a member: the same
//     404 with the same body as an unknown route, through the same code
//     path with the same single backend call, so a response never reveals
//     whether an organisation exists;
//   - member whose role lacks the permission: 403;
//   - backend error: 500 without details, never a pass;
//   - otherwise the handler runs with a [Scope] in its context.
//
// [Config.OnDecision] receives every allow and deny with its [Reason], so
// denials can be audited without this package knowing your audit log.
// [Guard.Authorize] is the same decision without the HTTP adapter.
//
// # Scope
//
// A [Scope] (org ID, user ID, role) has unexported fields: only the guard
// can make one, after a successful membership lookup. Background work with
// no request behind it uses [Guard.UnsafeBackgroundScope], named so that
// it stands out in review. Pass the Scope to your data layer instead of a
// bare org ID string, and take the org ID from it rather than from the
// request.
//
// # Role changes
//
// [CheckRoleChange], [CheckRemoval] and [CheckInvite] are pure functions
// implementing the rules: nobody changes their own role
// ([ErrSelfRoleChange]); nobody grants a role above their own or touches a
// member who ranks above them ([ErrAboveOwnRole]); only owners make owners
// ([ErrOwnerRequired]); the last owner cannot be removed or demoted
// ([ErrLastOwner]); invitations carry a role no higher than the inviter's
// ([ErrInviteAboveOwnRole]).
//
// # Last owner and concurrency
//
// The last-owner rule needs the current number of owners, and a count read
// without locks is a race: two owners demoting each other at the same
// moment both count two owners, both succeed, and the organisation has
// none. The count must be taken inside the transaction that makes the
// change, with the owner rows locked until it commits:
//
//	BEGIN;
//	SELECT user_id, role FROM memberships          -- $2 actor, $3 target
//	 WHERE org_id = $1 AND (role = 'owner' OR user_id IN ($2, $3))
//	 ORDER BY user_id
//	   FOR UPDATE;
//	-- count the owners; take the actor's and the target's current roles;
//	-- CheckRoleChange(actor, target, newRole, owners)
//	UPDATE memberships SET role = $4 WHERE org_id = $1 AND user_id = $3;
//	COMMIT;
//
// (FOR UPDATE cannot be combined with count(*), hence the row list.) A
// second transaction running the same SELECT waits for the first to
// commit and then re-reads the locked rows, so it counts one owner and
// gets [ErrLastOwner]. [RoleStore] runs exactly this:
//
//	err := tenant.WithTx(ctx, db, scope, func(tx *sql.Tx) error {
//		return roles.ChangeRole(ctx, tx, scope, targetUserID, tenant.RoleAdmin)
//	})
//
// # PostgreSQL row-level security
//
// [BeginTx] and [WithTx] start a transaction and run
//
//	SELECT set_config('bulwark.org_id', $1, true)
//
// with the scope's org ID; "true" makes the setting last only until the
// transaction ends, so pooled connections never leak a scope. Pair it with
// a policy on every tenant table, and connect as a role that is not a
// superuser, lacks BYPASSRLS and does not own the tables (superusers and
// BYPASSRLS roles skip every policy; owners skip them unless the table has
// FORCE ROW LEVEL SECURITY):
//
//	CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
//	GRANT SELECT, INSERT, UPDATE, DELETE ON projects TO app;
//
//	ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
//	ALTER TABLE projects FORCE ROW LEVEL SECURITY;
//	CREATE POLICY projects_tenant ON projects
//	  USING      (org_id = NULLIF(current_setting('bulwark.org_id', true), '')::uuid)
//	  WITH CHECK (org_id = NULLIF(current_setting('bulwark.org_id', true), '')::uuid);
//
// Change ::uuid to the type of your org_id column (::bigint, or drop the
// cast for text). USING hides other organisations' rows from SELECT,
// UPDATE and DELETE, even in a query that forgets its WHERE org_id
// clause; WITH CHECK refuses INSERT and UPDATE of rows belonging to
// another organisation. Outside a scoped transaction the setting is
// missing or empty, the comparison is NULL, and every query sees no rows:
// forgetting the scope fails closed.
//
// # What it does not do
//
// It does not authenticate users (it asks [Config.UserID]), store
// memberships (it asks [Memberships]), or scope your queries for you
// outside PostgreSQL: with another database every query must still filter
// by [Scope.OrgID]. Row-level security protects only tables that have a
// policy, only for connections using the non-owner role, and not against
// SQL injection that calls set_config itself. Per-object permissions
// (this document, that project) are the application's; this package
// decides at the organisation level.
package tenant
