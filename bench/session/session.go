// Package session compares the request path of bulwark's authn.Sessions
// with github.com/alexedwards/scs/v2 on the same load: a request carrying a
// valid session cookie passes through the session middleware and the
// handler reads the user ID and one data value.
//
// Both managers are configured alike: a 1-hour idle timeout, a 24-hour
// lifetime and a "__Host-session" cookie that is HttpOnly, Secure and
// SameSite=Lax. scs re-encodes and re-stores the whole session on every
// request when an idle timeout is set; bulwark records the last use at most
// once per minute. BenchmarkSessionLifetimeOnly compares without an idle
// timeout in scs, so that neither writes per request.
package session

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/bulwark-go/bulwark/authn"
)

// Fixture is one implementation set up for the benchmark: a handler and the
// cookie of a valid session.
type Fixture struct {
	Handler http.Handler // the session middleware around the recording handler
	Cookie  string       // "name=value" for the Cookie header
}

// seen is what the benchmark handler found in the session.
type seen struct {
	user, org string
}

// record returns a handler that stores the user and org it sees into *out.
func record(out *seen, get func(r *http.Request) (string, string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out.user, out.org = get(r)
	})
}

// NewBulwark returns a fixture for authn.Sessions on store (nil: memory).
func NewBulwark(store authn.SessionStore, out *seen) (Fixture, error) {
	m, err := authn.NewSessions(authn.SessionConfig{
		Store:           store,
		IdleTimeout:     time.Hour,
		AbsoluteTimeout: 24 * time.Hour,
	})
	if err != nil {
		return Fixture{}, err
	}
	tok, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{
		UserID: "alice", Methods: authn.SessionPassword, Data: map[string]string{"org": "acme"},
	})
	if err != nil {
		return Fixture{}, err
	}
	h := m.Middleware(record(out, func(r *http.Request) (string, string) {
		p, ok := authn.PrincipalFromContext(r.Context())
		if !ok {
			return "", ""
		}
		return p.UserID, p.Data["org"]
	}))
	return Fixture{Handler: h, Cookie: m.CookieName() + "=" + tok.Reveal()}, nil
}

// NewSCS returns a fixture for scs with store; idle selects the idle
// timeout (scs then commits on every request).
func NewSCS(store scs.Store, idle bool, out *seen) (Fixture, error) {
	sm := scs.New()
	sm.Store = store
	sm.Lifetime = 24 * time.Hour
	if idle {
		sm.IdleTimeout = time.Hour
	}
	sm.Cookie.Name = "__Host-session"
	sm.Cookie.Secure = true
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"

	ctx, err := sm.Load(context.Background(), "")
	if err != nil {
		return Fixture{}, err
	}
	sm.Put(ctx, "userID", "alice")
	sm.Put(ctx, "methods", 1)
	sm.Put(ctx, "org", "acme")
	tok, _, err := sm.Commit(ctx)
	if err != nil {
		return Fixture{}, err
	}
	h := sm.LoadAndSave(record(out, func(r *http.Request) (string, string) {
		return sm.GetString(r.Context(), "userID"), sm.GetString(r.Context(), "org")
	}))
	return Fixture{Handler: h, Cookie: sm.Cookie.Name + "=" + tok}, nil
}
