// Session middleware, Principal in the context, and the Require middlewares.

package authn

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Principal is the authenticated user of a request, put in the context by
// [Sessions.Middleware]. It is a copy of the session as validated at the
// start of the request; treat Data as read-only.
type Principal struct {
	Session
	// Bearer reports that the token came from an Authorization header
	// rather than the cookie.
	Bearer bool
}

// MFALevel returns p.Methods.MFALevel().
func (p *Principal) MFALevel() int { return p.Methods.MFALevel() }

type principalKey struct{}

// PrincipalFromContext returns the request's principal, if
// [Sessions.Middleware] found a valid session.
func PrincipalFromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// token returns the token the request presents: the session cookie, or a
// bearer token when allowed. cookie reports where it came from.
func (m *Sessions) token(r *http.Request) (tok string, cookie, ok bool) {
	if v, ok := sessionCookieValue(r.Header, m.cookie.name); ok {
		return v, true, true
	}
	if m.bearer {
		tok, ok = sessionBearer(r.Header)
	}
	return tok, false, ok
}

// Middleware loads the session named by the request's cookie (or bearer
// token, if [SessionConfig].AllowBearer) and, if it is valid, puts a
// [Principal] in the request context. A request without a valid session
// proceeds anonymously: protect handlers with [Sessions.RequireAuth]. A
// refused cookie is deleted and reported to OnInvalid. If the store fails,
// the request is answered by StoreErrorHandler (fail closed).
func (m *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, cookie, ok := m.token(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		s, reason, err := m.validate(r.Context(), tok)
		if err != nil {
			m.onInvalid(r, SessionReasonStore, err)
			m.storeErr.ServeHTTP(w, r)
			return
		}
		if reason != 0 {
			m.onInvalid(r, reason, nil)
			if cookie {
				m.cookie.del(w)
			}
			next.ServeHTTP(w, r)
			return
		}
		p := &Principal{Session: s, Bearer: !cookie}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// RequireReason says which requirement a request failed.
type RequireReason uint8

// Requirements checked by the Require middlewares.
const (
	RequireReasonAuth       RequireReason = iota + 1 // no valid session
	RequireReasonMFA                                 // session lacks a second factor
	RequireReasonRecentAuth                          // last authentication too old
)

// RequireDenial describes a refusal by a Require middleware. The deny
// handlers find it with [RequireDenialFromContext] to redirect to a login
// or re-authentication page and back.
type RequireDenial struct {
	// Reason is the requirement the request failed.
	Reason RequireReason
	// ReturnTo is the path and query to return to after (re)authentication:
	// the request URI for GET and HEAD requests, else "/". It always
	// starts with a single "/", so redirecting to it cannot leave the
	// site (no open redirect).
	ReturnTo string
	// MaxAge is the age limit of RequireRecentAuth, else zero.
	MaxAge time.Duration
	// AuthTime is the session's last authentication, if there is a session.
	AuthTime time.Time
}

type requireDenialKey struct{}

// RequireDenialFromContext returns the denial a Require middleware passed to
// its deny handler.
func RequireDenialFromContext(ctx context.Context) (RequireDenial, bool) {
	d, ok := ctx.Value(requireDenialKey{}).(RequireDenial)
	return d, ok
}

// RequireAuth answers requests without a valid session with
// [SessionConfig].UnauthenticatedHandler. It needs [Sessions.Middleware]
// earlier in the chain.
func (m *Sessions) RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := PrincipalFromContext(r.Context()); !ok {
			m.deny(w, r, m.unauth, RequireDenial{Reason: RequireReasonAuth})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireMFA answers requests whose session has no second factor
// ([SessionMethod.MFALevel] below 2) with [SessionConfig].MFAHandler, and
// requests without a session like [Sessions.RequireAuth].
func (m *Sessions) RequireMFA(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFromContext(r.Context())
		switch {
		case !ok:
			m.deny(w, r, m.unauth, RequireDenial{Reason: RequireReasonAuth})
		case p.MFALevel() < 2:
			m.deny(w, r, m.mfa, RequireDenial{Reason: RequireReasonMFA, AuthTime: p.AuthTime})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// RequireRecentAuth returns middleware for sensitive areas (billing, API
// keys, member management): it answers requests whose session
// authenticated more than maxAge ago with [SessionConfig].StepUpHandler,
// which should ask for the password or a TOTP code again and then call
// [Sessions.Rotate] with AddMethods. Requests without a session are
// answered like [Sessions.RequireAuth]. Panics if maxAge <= 0.
func (m *Sessions) RequireRecentAuth(maxAge time.Duration) func(http.Handler) http.Handler {
	if maxAge <= 0 {
		panic("authn: RequireRecentAuth needs a positive maxAge")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFromContext(r.Context())
			switch {
			case !ok:
				m.deny(w, r, m.unauth, RequireDenial{Reason: RequireReasonAuth})
			case m.now().Sub(p.AuthTime) > maxAge:
				m.deny(w, r, m.stepUp, RequireDenial{Reason: RequireReasonRecentAuth, MaxAge: maxAge, AuthTime: p.AuthTime})
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

func (m *Sessions) deny(w http.ResponseWriter, r *http.Request, h http.Handler, d RequireDenial) {
	d.ReturnTo = requireReturnTo(r)
	h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requireDenialKey{}, d)))
}

// requireReturnTo returns a same-site path to come back to after
// authentication.
func requireReturnTo(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return "/"
	}
	return SessionReturnPath(r.URL.RequestURI())
}

// SessionReturnPath returns p if it is a path on this site that is safe to
// redirect to after (re)authentication, and "/" otherwise: p must start
// with a single "/" (not "//" or "/\", which browsers treat as another
// host) and contain no backslash or control character. Use it on a
// return path that made a round trip through the client, such as
// [RequireDenial].ReturnTo echoed back by a login form, to avoid an open
// redirect.
func SessionReturnPath(p string) string {
	if len(p) > 2048 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	return p
}
