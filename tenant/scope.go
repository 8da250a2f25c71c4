package tenant

import (
	"context"
	"errors"
)

// ErrNoScope reports that an operation needed a [Scope] and got the zero
// Scope, or that no Scope was found in a context.
var ErrNoScope = errors.New("tenant: no scope")

// scopeKind tells request scopes from background scopes.
type scopeKind uint8

const (
	kindRequest scopeKind = iota + 1
	kindBackground
)

// Scope is the proof that a user acts inside one organisation with one
// role. Handlers read it with [FromContext] and pass it to every data
// access, which filters by [Scope.OrgID] (and, with PostgreSQL, opens the
// row-level security scope with [BeginTx]).
//
// Its fields are unexported, so code outside this package cannot forge one:
// a Scope comes only from the [Guard] middleware after a successful
// membership lookup, or from [Guard.UnsafeBackgroundScope], whose name
// makes it stand out in review. The zero Scope belongs to no organisation,
// grants nothing, and is rejected by [BeginTx] and the role-change rules.
//
// A Scope is a small immutable value; copy it freely. It is safe for
// concurrent use.
type Scope struct {
	orgID string
	// actor is the user ID for request scopes and the job name for
	// background scopes; kind says which.
	actor string
	role  Role
	kind  scopeKind
	g     *Guard
}

// OrgID returns the organisation the scope is limited to ("" for the zero
// Scope).
func (s Scope) OrgID() string { return s.orgID }

// UserID returns the acting user, or "" for a background scope and the
// zero Scope.
func (s Scope) UserID() string {
	if s.kind != kindRequest {
		return ""
	}
	return s.actor
}

// Role returns the acting user's role in the organisation (the zero Role
// for the zero Scope).
func (s Scope) Role() Role { return s.role }

// IsZero reports whether s is the zero Scope, which grants nothing.
func (s Scope) IsZero() bool { return s.kind == 0 }

// Background reports whether s was made by [Guard.UnsafeBackgroundScope]
// and, if so, the job name given there.
func (s Scope) Background() (job string, ok bool) {
	if s.kind != kindBackground {
		return "", false
	}
	return s.actor, true
}

// Can reports whether the scope's role holds permission p under the
// permission table of the [Guard] that issued it. It is false for the zero
// Scope and for permissions not in the table.
func (s Scope) Can(p Permission) bool {
	if s.g == nil {
		return false
	}
	min, ok := s.g.perms[p]
	return ok && s.role.AtLeast(min)
}

// String describes the scope for logs and debugging, for example
// "org=acme user=u1 role=admin" or "org=acme job=nightly-export role=member".
func (s Scope) String() string {
	switch s.kind {
	case kindRequest:
		return "org=" + s.orgID + " user=" + s.actor + " role=" + s.role.String()
	case kindBackground:
		return "org=" + s.orgID + " job=" + s.actor + " role=" + s.role.String()
	}
	return "no scope"
}

// scopeKey is the context key for the Scope.
type scopeKey struct{}

// scopeCtx carries a Scope. It is a context.Context and the Scope in one
// allocation, which keeps the middleware's allow path at two allocations
// (this and the shallow copy made by http.Request.WithContext).
// Cancellation, deadlines and all other values come from the parent.
type scopeCtx struct {
	context.Context
	s Scope
}

func (c *scopeCtx) Value(key any) any {
	if key == (scopeKey{}) {
		return &c.s
	}
	return c.Context.Value(key)
}

func (c *scopeCtx) String() string { return "tenant.scopeCtx(" + c.s.String() + ")" }

// NewContext returns a copy of ctx carrying s, for handing a Scope to code
// that reads it with [FromContext] (for example a background job's data
// layer). The middleware does this itself. It panics if s is the zero
// Scope, because storing "no scope" is always a programming error.
func NewContext(ctx context.Context, s Scope) context.Context {
	if s.IsZero() {
		panic("tenant: NewContext called with the zero Scope")
	}
	return &scopeCtx{Context: ctx, s: s}
}

// FromContext returns the Scope stored in ctx by the [Guard] middleware or
// [NewContext], and false if there is none.
func FromContext(ctx context.Context) (Scope, bool) {
	if p, ok := ctx.Value(scopeKey{}).(*Scope); ok && !p.IsZero() {
		return *p, true
	}
	return Scope{}, false
}

// MustFromContext is like [FromContext] but panics when ctx carries no
// Scope. Use it only in handlers mounted behind [Guard.Require],
// [Guard.RequireRole] or [Guard.Middleware], where a missing Scope means
// the route was wired wrongly.
func MustFromContext(ctx context.Context) Scope {
	s, ok := FromContext(ctx)
	if !ok {
		panic("tenant: no Scope in context; is the handler behind the tenant middleware?")
	}
	return s
}
