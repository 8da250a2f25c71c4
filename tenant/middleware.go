package tenant

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors returned by [Guard.Authorize] and [Guard.AuthorizeRole]. The
// middleware maps them to 401, 404, 403 and 500.
var (
	// ErrUnauthenticated: the request has no user.
	ErrUnauthenticated = errors.New("tenant: unauthenticated")
	// ErrNotFound: the organisation is malformed, does not exist, or the
	// user is not a member. Deliberately one error for all three.
	ErrNotFound = errors.New("tenant: organisation not found")
	// ErrForbidden: the scope's role lacks the required permission or rank.
	ErrForbidden = errors.New("tenant: forbidden")
	// ErrBackend wraps a membership backend failure.
	ErrBackend = errors.New("tenant: membership backend failed")
)

// Authorize decides whether r may act with permission p: it resolves the
// user, the organisation and the membership, and returns the resulting
// Scope. Errors are [ErrUnauthenticated], [ErrNotFound], [ErrForbidden],
// or an error wrapping [ErrBackend] and the backend's error. OnDecision is
// called either way. Use it where middleware does not fit (for example a
// GraphQL resolver); the middleware from [Guard.Require] is a thin wrapper
// around it.
//
// Authorize panics if p is not in the guard's permission table (a typo in
// a permission name is a programming error, not a runtime denial).
func (g *Guard) Authorize(r *http.Request, p Permission) (Scope, error) {
	g.mustBeNew()
	min := g.mustMinRole(p)
	s, _, reason, err := g.decide(r, min, p)
	return s, reasonErr(reason, err)
}

// AuthorizeRole is like [Guard.Authorize] but requires a role of at least
// min instead of a permission. It panics if min is not a valid Role.
func (g *Guard) AuthorizeRole(r *http.Request, min Role) (Scope, error) {
	g.mustBeNew()
	mustValidRole(min)
	s, _, reason, err := g.decide(r, min, "")
	return s, reasonErr(reason, err)
}

// Require returns middleware that lets a request through only if the user
// is a member of the requested organisation with a role holding
// permission p. The handler finds the [Scope] with [FromContext].
// Otherwise it answers with the configured 401, 404, 403 or 500 handler.
//
// Wrap each route's handler, not the whole mux, so that path values are
// available:
//
//	mux.Handle("POST /orgs/{org}/projects", guard.Require(tenant.PermWrite)(createProject))
//
// Require panics if p is not in the guard's permission table, so a typo
// fails at start-up rather than denying (or allowing) at run time.
func (g *Guard) Require(p Permission) func(http.Handler) http.Handler {
	g.mustBeNew()
	min := g.mustMinRole(p)
	return func(next http.Handler) http.Handler {
		return &guarded{g: g, next: next, min: min, perm: p}
	}
}

// RequireRole returns middleware like [Guard.Require] that requires a role
// of at least min. Prefer Require with a permission: permissions can be
// remapped in one table, role checks are scattered. It panics if min is
// not a valid Role.
func (g *Guard) RequireRole(min Role) func(http.Handler) http.Handler {
	g.mustBeNew()
	mustValidRole(min)
	return func(next http.Handler) http.Handler {
		return &guarded{g: g, next: next, min: min}
	}
}

// Middleware requires membership of the requested organisation with any
// role; it is RequireRole(RoleViewer). Finer checks can follow inside the
// handler with [Scope.Can], or by nesting [Guard.Require], which reuses the
// Scope already resolved for the same org and user instead of asking the
// backend again.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	g.mustBeNew()
	return &guarded{g: g, next: next, min: RoleViewer}
}

// guarded is the middleware's handler.
type guarded struct {
	g    *Guard
	next http.Handler
	min  Role
	perm Permission
}

func (h *guarded) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s, reused, reason, _ := h.g.decide(r, h.min, h.perm)
	switch reason {
	case ReasonAllowed:
		if reused {
			// The context already carries this very scope.
			h.next.ServeHTTP(w, r)
			return
		}
		h.next.ServeHTTP(w, r.WithContext(&scopeCtx{Context: r.Context(), s: s}))
	case ReasonUnauthenticated:
		h.g.unauthenticated.ServeHTTP(w, r)
	case ReasonInvalidOrg, ReasonNotMember:
		h.g.notFound.ServeHTTP(w, r)
	case ReasonInsufficientRole:
		h.g.forbidden.ServeHTTP(w, r)
	default:
		h.g.failed.ServeHTTP(w, r)
	}
}

// decide is the single decision path shared by the middleware and
// Authorize. On ReasonAllowed it returns the Scope, and reused is true when
// the request's context already carries that same scope from this guard
// (same org and user), in which case the backend was not asked again.
//
// Non-members and nonexistent organisations take exactly the same path:
// one backend call answering (0, false, nil).
func (g *Guard) decide(r *http.Request, min Role, perm Permission) (s Scope, reused bool, reason Reason, err error) {
	d := Decision{Permission: perm, MinRole: min, Request: r}
	user, ok := g.userID(r)
	if !ok || user == "" {
		return g.deny(d, ReasonUnauthenticated, nil)
	}
	d.UserID = user
	org, ok := g.orgFrom(r)
	if !ok || !g.validOrg(org) {
		return g.deny(d, ReasonInvalidOrg, nil)
	}
	d.OrgID = org

	var role Role
	if p, ok := r.Context().Value(scopeKey{}).(*Scope); ok && p.g == g && p.kind == kindRequest && p.orgID == org && p.actor == user {
		role, reused = p.role, true
	} else {
		var found bool
		role, found, err = g.members.Membership(r.Context(), org, user)
		switch {
		case err != nil:
			return g.deny(d, ReasonBackendError, fmt.Errorf("%w: %w", ErrBackend, err))
		case !found:
			return g.deny(d, ReasonNotMember, nil)
		case !role.Valid():
			return g.deny(d, ReasonBackendError, fmt.Errorf("%w: Membership returned invalid role %d", ErrBackend, uint8(role)))
		}
	}
	d.Role = role
	if !role.AtLeast(min) {
		return g.deny(d, ReasonInsufficientRole, nil)
	}
	d.Allowed, d.Reason = true, ReasonAllowed
	if g.onDecision != nil {
		g.onDecision(d)
	}
	return Scope{orgID: org, actor: user, role: role, kind: kindRequest, g: g}, reused, ReasonAllowed, nil
}

// deny reports a denial to the hook and returns it.
func (g *Guard) deny(d Decision, reason Reason, err error) (Scope, bool, Reason, error) {
	d.Reason, d.Err = reason, err
	if reason == ReasonInvalidOrg {
		d.OrgID = ""
	}
	if g.onDecision != nil {
		g.onDecision(d)
	}
	return Scope{}, false, reason, err
}

// reasonErr maps a decision to Authorize's error.
func reasonErr(reason Reason, err error) error {
	switch reason {
	case ReasonAllowed:
		return nil
	case ReasonUnauthenticated:
		return ErrUnauthenticated
	case ReasonInvalidOrg, ReasonNotMember:
		return ErrNotFound
	case ReasonInsufficientRole:
		return ErrForbidden
	}
	return err
}

// mustBeNew panics unless g was made by New: a zero or nil Guard has no
// membership backend and no user hook, and must never reach a request.
func (g *Guard) mustBeNew() {
	if g == nil || g.members == nil || g.userID == nil {
		panic("tenant: Guard not created by tenant.New")
	}
}

func (g *Guard) mustMinRole(p Permission) Role {
	min, ok := g.perms[p]
	if !ok {
		panic(fmt.Sprintf("tenant: permission %q is not in the guard's permission table", truncate(string(p), 64)))
	}
	return min
}

func mustValidRole(r Role) {
	if !r.Valid() {
		panic(fmt.Sprintf("tenant: invalid role %d", uint8(r)))
	}
}
