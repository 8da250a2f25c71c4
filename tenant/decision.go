package tenant

import "net/http"

// Reason says why the guard allowed or denied a request. It is meant for
// audit logs and metrics, never for the HTTP response: the response of a
// denial depends only on its status class (401, 404, 403 or 500).
type Reason string

// The reasons passed to [Config.OnDecision].
const (
	// ReasonAllowed: the user is a member whose role satisfies the
	// requirement. Decision.Allowed is true.
	ReasonAllowed Reason = "allowed"
	// ReasonBackground: [Guard.UnsafeBackgroundScope] issued a scope.
	// Decision.Allowed is true and Decision.Request is nil.
	ReasonBackground Reason = "background_scope"
	// ReasonUnauthenticated: Config.UserID reported no user. Status 401.
	ReasonUnauthenticated Reason = "unauthenticated"
	// ReasonInvalidOrg: the request named no organisation, or one whose ID
	// fails Config.ValidOrgID. Status 404.
	ReasonInvalidOrg Reason = "invalid_org"
	// ReasonNotMember: the user is not a member of the organisation, or the
	// organisation does not exist; the guard cannot and does not tell the
	// two apart. Status 404.
	ReasonNotMember Reason = "not_member"
	// ReasonInsufficientRole: the user is a member but their role lacks the
	// permission or rank required. Status 403.
	ReasonInsufficientRole Reason = "insufficient_role"
	// ReasonBackendError: the membership lookup failed or returned an
	// invalid role; Decision.Err holds the cause. Status 500. The request is
	// never allowed on a backend error.
	ReasonBackendError Reason = "backend_error"
)

// Decision describes one allow or deny decision, for [Config.OnDecision].
// Audit denials (Allowed == false) to spot cross-tenant probing; in
// particular, many ReasonNotMember decisions for one user usually mean
// someone is enumerating organisation IDs.
type Decision struct {
	// Allowed reports whether the request proceeds to the handler.
	Allowed bool
	// Reason says why.
	Reason Reason
	// OrgID is the organisation requested, as extracted from the request.
	// For ReasonInvalidOrg it is empty, so that arbitrary attacker input
	// never reaches the audit log.
	OrgID string
	// UserID is the user as reported by Config.UserID ("" if none).
	UserID string
	// Role is the user's role in the organisation, or the zero Role when
	// the user is not a member or the lookup did not happen or failed.
	Role Role
	// Permission is the permission the route requires, or "" for routes
	// guarded by [Guard.RequireRole] or [Guard.Middleware].
	Permission Permission
	// MinRole is the lowest role that satisfies the route's requirement.
	MinRole Role
	// Job is the job name for ReasonBackground decisions.
	Job string
	// Err is the backend error for ReasonBackendError, else nil. It may
	// contain internals: log it, never send it to the client.
	Err error
	// Request is the request decided on (nil for background scopes). The
	// hook must not modify it.
	Request *http.Request
}
