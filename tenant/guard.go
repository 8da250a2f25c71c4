package tenant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Memberships is the application's membership backend: the one question
// the guard asks it is "what is this user's role in this organisation?".
//
// Membership returns the user's role and true when userID is a member of
// orgID. When the user is not a member, or the organisation does not
// exist, it returns (0, false, nil): the two cases must be
// indistinguishable. Implement it as a single indexed lookup such as
//
//	SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2
//
// and never as "look up the organisation, then the member", which would
// make the two cases differ in timing. A non-nil error means the backend
// failed; the guard then answers 500 and never lets the request through.
// A found role that is not [Role.Valid] is treated as a backend error too.
//
// Implementations must be safe for concurrent use. orgID has passed
// [Config.ValidOrgID] and userID is non-empty.
type Memberships interface {
	Membership(ctx context.Context, orgID, userID string) (role Role, found bool, err error)
}

// MembershipsFunc adapts a function to the [Memberships] interface.
type MembershipsFunc func(ctx context.Context, orgID, userID string) (Role, bool, error)

// Membership calls f(ctx, orgID, userID).
func (f MembershipsFunc) Membership(ctx context.Context, orgID, userID string) (Role, bool, error) {
	return f(ctx, orgID, userID)
}

var _ Memberships = MembershipsFunc(nil)

// Config configures a [Guard]. Memberships and UserID are required; every
// other field has a safe default.
type Config struct {
	// Memberships answers membership lookups. Required.
	Memberships Memberships

	// UserID returns the authenticated user's ID for a request, or
	// ("", false) for an anonymous request, which the guard answers with
	// 401. It is the seam to your authentication layer (for example a
	// session middleware that ran earlier). Required. An empty ID counts as
	// anonymous.
	UserID func(r *http.Request) (userID string, ok bool)

	// OrgPathValue is the name of the http.ServeMux wildcard holding the
	// organisation ID, read with r.PathValue. Default "org", matching
	// patterns such as "GET /orgs/{org}/projects". At most one of
	// OrgPathValue, OrgHeader and OrgFunc may be set.
	//
	// The guard must wrap the handler registered for the pattern (not the
	// mux itself), because path values exist only after routing.
	OrgPathValue string

	// OrgHeader, if set, takes the organisation ID from this request
	// header instead of the path. A request with the header repeated is
	// treated as naming no organisation. Use it for APIs whose URLs carry
	// no org; the header is client input like any other, and the
	// membership check is what makes it safe.
	OrgHeader string

	// OrgFunc, if set, extracts the organisation ID with custom code (for
	// example from a subdomain). Returning ("", false) means "no
	// organisation named" and yields 404. Its result still goes through
	// ValidOrgID.
	OrgFunc func(r *http.Request) (orgID string, ok bool)

	// ValidOrgID reports whether an extracted organisation ID is
	// well-formed. Malformed IDs get the same 404 as non-members without a
	// backend lookup. Default: 1 to 128 bytes of ASCII letters, digits and
	// "-", "_", ".", ":" (covers UUIDs, integers, ULIDs and slugs). Do not
	// loosen it to admit control characters or "/"; IDs reach logs and SQL
	// parameters.
	ValidOrgID func(orgID string) bool

	// Permissions maps each permission to the lowest role holding it.
	// Default (nil): [DefaultPermissions]. A non-nil map replaces the
	// defaults entirely, so start from DefaultPermissions() to extend them.
	// New validates the names and roles and keeps a private copy.
	Permissions map[Permission]Role

	// OnDecision, if set, is called synchronously with every allow and
	// deny decision, including background scopes. Use it for audit logs
	// and metrics. It runs on the request path and concurrently for
	// concurrent requests: keep it fast and safe for concurrent use, and
	// do not write to the response from it. Default: no hook.
	OnDecision func(Decision)

	// UnauthenticatedHandler writes the response for requests without a
	// user. Default: plain-text 401 "Unauthorized". Replace it to redirect
	// to a login page or to add a WWW-Authenticate challenge.
	UnauthenticatedHandler http.Handler

	// NotFoundHandler writes the response for non-members, nonexistent
	// and malformed organisations alike. Default: [http.NotFound], the same
	// "404 page not found" body http.ServeMux sends for unknown routes. A
	// replacement must not vary its output with anything that
	// distinguishes those cases, or it reveals which organisations exist.
	NotFoundHandler http.Handler

	// ForbiddenHandler writes the response for members whose role lacks
	// the required permission. Default: plain-text 403 "Forbidden".
	ForbiddenHandler http.Handler

	// ErrorHandler writes the response when the membership backend fails.
	// Default: plain-text 500 "Internal Server Error" with no details; the
	// error itself goes to OnDecision only.
	ErrorHandler http.Handler
}

// Guard enforces organisation scope and role-based access for HTTP
// handlers. Create one with [New] at start-up and wrap each org-scoped
// route with [Guard.Require] (or [Guard.RequireRole]). The zero Guard is
// not usable: its methods panic with a message saying so, at wiring time
// for the middleware constructors. A Guard is immutable and safe for
// concurrent use.
type Guard struct {
	members    Memberships
	userID     func(*http.Request) (string, bool)
	orgFrom    func(*http.Request) (string, bool)
	validOrg   func(string) bool
	perms      map[Permission]Role
	onDecision func(Decision)

	unauthenticated http.Handler
	notFound        http.Handler
	forbidden       http.Handler
	failed          http.Handler
}

// New validates cfg and returns a Guard. It returns an error naming the
// offending field when a required field is missing, several org sources
// are configured, or the permission table is invalid.
func New(cfg Config) (*Guard, error) {
	if cfg.Memberships == nil {
		return nil, errors.New("tenant: Config.Memberships is required")
	}
	if cfg.UserID == nil {
		return nil, errors.New("tenant: Config.UserID is required")
	}
	g := &Guard{
		members:         cfg.Memberships,
		userID:          cfg.UserID,
		validOrg:        cfg.ValidOrgID,
		onDecision:      cfg.OnDecision,
		unauthenticated: cfg.UnauthenticatedHandler,
		notFound:        cfg.NotFoundHandler,
		forbidden:       cfg.ForbiddenHandler,
		failed:          cfg.ErrorHandler,
	}
	orgFrom, err := orgExtractor(cfg)
	if err != nil {
		return nil, err
	}
	g.orgFrom = orgFrom
	if g.validOrg == nil {
		g.validOrg = ValidOrgID
	}
	if g.perms, err = compilePermissions(cfg.Permissions); err != nil {
		return nil, err
	}
	if g.unauthenticated == nil {
		g.unauthenticated = statusHandler(http.StatusUnauthorized)
	}
	if g.notFound == nil {
		g.notFound = http.HandlerFunc(http.NotFound)
	}
	if g.forbidden == nil {
		g.forbidden = statusHandler(http.StatusForbidden)
	}
	if g.failed == nil {
		g.failed = statusHandler(http.StatusInternalServerError)
	}
	return g, nil
}

// MustNew is like [New] but panics on error. Use it in tests, examples and
// package-level wiring where the Config is a literal.
func MustNew(cfg Config) *Guard {
	g, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return g
}

// MinRole returns the lowest role holding permission p in the guard's
// table, and false if p is not in the table.
func (g *Guard) MinRole(p Permission) (Role, bool) {
	r, ok := g.perms[p]
	return r, ok
}

// UnsafeBackgroundScope returns a Scope for orgID that no HTTP request or
// membership lookup stands behind. It exists for trusted server-side work
// that acts for an organisation on its own: scheduled jobs, queue workers,
// migrations, webhooks whose signature already identified the org. Never
// call it with an org ID taken from a request a user controls: that is
// exactly the cross-tenant hole this package exists to close.
//
// job names the caller for audit logs (for example "nightly-export") and
// role is the authority the job acts with; give it the lowest role that
// suffices. The scope has no user ([Scope.UserID] is ""). OnDecision is
// told about every background scope issued, with [ReasonBackground].
//
// It returns an error if orgID fails the guard's ValidOrgID check, job is
// empty, or role is invalid.
func (g *Guard) UnsafeBackgroundScope(orgID, job string, role Role) (Scope, error) {
	switch {
	case !g.validOrg(orgID):
		return Scope{}, fmt.Errorf("tenant: UnsafeBackgroundScope: malformed org ID %q", truncate(orgID, 64))
	case job == "":
		return Scope{}, errors.New("tenant: UnsafeBackgroundScope: job name is required")
	case !role.Valid():
		return Scope{}, fmt.Errorf("tenant: UnsafeBackgroundScope: %w: %d", ErrInvalidRole, uint8(role))
	}
	if g.onDecision != nil {
		g.onDecision(Decision{Allowed: true, Reason: ReasonBackground, OrgID: orgID, Role: role, Job: job})
	}
	return Scope{orgID: orgID, actor: job, role: role, kind: kindBackground, g: g}, nil
}

// statusHandler writes a plain-text response with the standard status
// text and nothing else.
type statusHandler int

func (code statusHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, http.StatusText(int(code)), int(code))
}
