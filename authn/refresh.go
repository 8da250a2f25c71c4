// RefreshTokens: short-lived access tokens and rotating refresh tokens for
// API clients, with reuse detection.

package authn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"
)

// RefreshConfig configures [NewRefreshTokens]. Only Sessions is required;
// the rest of the zero RefreshConfig is safe: memory store, 15-minute
// access tokens, NIST SP 800-63B AAL2 limits for the refresh family (1 hour
// idle, 24 hours absolute) and delivery in a "__Host-refresh" cookie.
type RefreshConfig struct {
	// Sessions validates the access tokens: each access token is a
	// short-lived session of it, so [Sessions.Middleware],
	// [Sessions.RequireAuth], [Sessions.RequireMFA] and
	// [Sessions.RequireRecentAuth] treat API clients like browsers.
	// Required, with [SessionConfig].AllowBearer set.
	Sessions *Sessions

	// Store keeps the refresh-token families. Default: a new
	// [MemoryRefreshStore]; use authn/redisstore.RefreshStore when several
	// instances serve the same clients.
	Store RefreshStore

	// AccessTTL is the lifetime of an access token. Default 15 minutes.
	// Revoking a family deletes its current access token at once; the TTL
	// bounds the damage only if that deletion fails. Must be less than
	// IdleTimeout.
	AccessTTL time.Duration

	// IdleTimeout ends a family not refreshed for this long. Default 1
	// hour (AAL2). Must be more than AccessTTL, or clients could not
	// refresh in time.
	IdleTimeout time.Duration

	// AbsoluteTimeout ends a family this long after login. Default 24
	// hours (AAL2); NIST SP 800-63B allows up to 30 days at AAL1.
	AbsoluteTimeout time.Duration

	// MaxFamiliesPerUser caps one user's concurrent logins through
	// refresh tokens; a new login evicts the earliest. Default 20.
	MaxFamiliesPerUser int

	// CookieName is the refresh cookie's name without prefix. Default
	// "refresh". With CookiePath "/" the "__Host-" prefix is added,
	// otherwise "__Secure-", except in InsecureCookie mode.
	CookieName string

	// CookiePath restricts the refresh cookie to the refresh endpoint,
	// e.g. "/auth/refresh", so it is not sent with every request. Default
	// "/". Must start with "/".
	CookiePath string

	// InsecureCookie drops Secure and the cookie prefix for plain-HTTP
	// local development. FOR LOCALHOST ONLY; see
	// [SessionConfig].InsecureCookie. As a guard, [RefreshTokens.Issue]
	// refuses with [ErrSessionInsecureHost] unless it is given a request
	// whose Host is localhost or a loopback address, and
	// [RefreshTokens.Handler] answers 403 to other hosts without using
	// the token. It has no effect with InsecureBodyDelivery.
	InsecureCookie bool

	// InsecureBodyDelivery returns the refresh token in the JSON body and
	// accepts it in the "refresh_token" form field (RFC 6749 section 6)
	// instead of the HttpOnly cookie. For native clients that have no
	// cookie jar. DANGER for browser apps: a script (XSS) can then read
	// and exfiltrate the refresh token.
	InsecureBodyDelivery bool

	// Now returns the current time. Default: the Sessions' clock.
	Now func() time.Time

	// OnInvalid is called by [RefreshTokens.Handler] for every refused
	// refresh token, with the reason; SessionReasonReused means a token
	// was used twice and its family revoked: treat it as a possible theft.
	OnInvalid func(r *http.Request, reason SessionReason, err error)
}

// RefreshTokens issues access/refresh token pairs for API clients and
// rotates the refresh token on every use. Presenting a refresh token that
// was already used revokes its whole family, including the current access
// token (theft detection, RFC 9700 section 4.14.2). Create one with
// [NewRefreshTokens]; it is safe for concurrent use.
//
// For most uses: after a login, call [RefreshTokens.Issue] and
// [RefreshTokens.WriteGrant]; mount [RefreshTokens.Handler] at the
// refresh endpoint; on logout call [RefreshTokens.RevokeRequest]; on
// password change call [RefreshTokens.RevokeAllForUser] and
// [Sessions.RevokeAllForUser].
type RefreshTokens struct {
	sessions  *Sessions
	store     RefreshStore
	accessTTL time.Duration
	absolute  time.Duration
	lim       RefreshLimits
	cookie    sessionCookieSpec
	body      bool
	now       func() time.Time
	onInvalid func(*http.Request, SessionReason, error)
}

// RefreshGrant is the result of a login or a refresh.
type RefreshGrant struct {
	AccessToken      SessionToken // send as "Authorization: Bearer"
	AccessExpiresAt  time.Time    // end of the access token's life
	RefreshToken     SessionToken // single use; delivered by WriteGrant
	RefreshExpiresAt time.Time    // absolute end of the family
	Family           SessionID    // not secret
}

// refreshMaxKept is how many tokens per family are remembered for reuse
// detection.
const refreshMaxKept = 32

// NewRefreshTokens validates cfg and returns a refresh-token manager.
func NewRefreshTokens(cfg RefreshConfig) (*RefreshTokens, error) {
	if cfg.Sessions == nil {
		return nil, errors.New("authn: RefreshConfig.Sessions is required")
	}
	if !cfg.Sessions.bearer {
		return nil, errors.New("authn: RefreshConfig.Sessions needs SessionConfig.AllowBearer for access tokens")
	}
	t := &RefreshTokens{
		sessions:  cfg.Sessions,
		store:     cfg.Store,
		accessTTL: cfg.AccessTTL,
		absolute:  cfg.AbsoluteTimeout,
		body:      cfg.InsecureBodyDelivery,
		now:       cfg.Now,
		onInvalid: cfg.OnInvalid,
		lim: RefreshLimits{
			Idle:       cfg.IdleTimeout,
			MaxPerUser: cfg.MaxFamiliesPerUser,
			MaxKept:    refreshMaxKept,
		},
	}
	if t.store == nil {
		t.store = NewMemoryRefreshStore()
	}
	if t.accessTTL == 0 {
		t.accessTTL = 15 * time.Minute
	}
	if t.lim.Idle == 0 {
		t.lim.Idle = time.Hour
	}
	if t.absolute == 0 {
		t.absolute = 24 * time.Hour
	}
	switch {
	case t.accessTTL < time.Second:
		return nil, errors.New("authn: RefreshConfig.AccessTTL must be at least one second")
	case t.lim.Idle <= t.accessTTL:
		return nil, errors.New("authn: RefreshConfig.IdleTimeout must be more than AccessTTL")
	case t.absolute < t.lim.Idle:
		return nil, errors.New("authn: RefreshConfig.AbsoluteTimeout must be at least IdleTimeout")
	}
	switch {
	case t.lim.MaxPerUser == 0:
		t.lim.MaxPerUser = 20
	case t.lim.MaxPerUser < 0 || t.lim.MaxPerUser > sessionMaxPerUserMax:
		return nil, fmt.Errorf("authn: RefreshConfig.MaxFamiliesPerUser must be between 1 and %d", sessionMaxPerUserMax)
	}
	name, err := sessionCookieBase("RefreshConfig.CookieName", cfg.CookieName, "refresh")
	if err != nil {
		return nil, err
	}
	path := cfg.CookiePath
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, ";,\x00\r\n \t") {
		return nil, errors.New("authn: RefreshConfig.CookiePath must be a path starting with /")
	}
	t.cookie = newSessionCookieSpec(name, path, http.SameSiteStrictMode, true, cfg.InsecureCookie)
	if t.now == nil {
		t.now = cfg.Sessions.now
	}
	if t.onInvalid == nil {
		t.onInvalid = func(*http.Request, SessionReason, error) {}
	}
	return t, nil
}

// CookieName returns the full name of the refresh cookie.
func (t *RefreshTokens) CookieName() string { return t.cookie.name }

// Issue starts a new token family after a successful login and returns the
// first grant. r may be nil (except in InsecureCookie mode, which needs
// its Host); when given, the access tokens record its User-Agent and
// client IP.
func (t *RefreshTokens) Issue(ctx context.Context, r *http.Request, login SessionLogin) (RefreshGrant, error) {
	if !t.hostAllowed(r) {
		return RefreshGrant{}, ErrSessionInsecureHost
	}
	if err := t.sessions.checkLogin(login.UserID, login.Methods, login.Data); err != nil {
		return RefreshGrant{}, err
	}
	now := t.now()
	_, famID := newSessionToken()
	f := RefreshFamily{
		ID:        famID,
		UserID:    login.UserID,
		Methods:   login.Methods,
		AuthTime:  now,
		CreatedAt: now,
		ExpiresAt: now.Add(t.absolute),
		LastUsed:  now,
		Data:      maps.Clone(login.Data),
	}
	access, accessID := newSessionToken()
	f.AccessID = accessID
	s, err := t.sessions.storeNew(ctx, r, accessID, t.accessLogin(&f), now, f.AuthTime, t.accessExpiry(&f, now))
	if err != nil {
		return RefreshGrant{}, err
	}
	refresh, refreshID := newSessionToken()
	evicted, err := t.store.Create(ctx, f, refreshID, t.lim)
	if err != nil {
		_, _ = t.sessions.store.Delete(ctx, accessID, "")
		return RefreshGrant{}, err
	}
	t.deleteAccess(ctx, evicted...)
	return RefreshGrant{
		AccessToken:      access,
		AccessExpiresAt:  s.ExpiresAt,
		RefreshToken:     refresh,
		RefreshExpiresAt: f.ExpiresAt,
		Family:           f.ID,
	}, nil
}

// hostAllowed reports whether a refresh cookie may be written in answer
// to r: always, unless the cookie is insecure, when r must name a
// loopback host.
func (t *RefreshTokens) hostAllowed(r *http.Request) bool {
	if !t.cookie.insecure || t.body {
		return true
	}
	return r != nil && sessionLoopbackHost(r.Host)
}

func (t *RefreshTokens) accessLogin(f *RefreshFamily) SessionLogin {
	return SessionLogin{UserID: f.UserID, Methods: f.Methods, Data: f.Data}
}

func (t *RefreshTokens) accessExpiry(f *RefreshFamily, now time.Time) time.Time {
	e := now.Add(t.accessTTL)
	if f.ExpiresAt.Before(e) {
		return f.ExpiresAt
	}
	return e
}

// Refresh consumes a refresh token and returns a new grant; the old
// refresh token and the previous access token stop working. If the token
// was already used, the whole family is revoked and Refresh fails: a copy
// of the token is in someone else's hands. Errors are
// *[RefreshInvalidError] (errors.Is ErrRefreshInvalid), with the reason
// for the application only, or store failures. r may be nil.
func (t *RefreshTokens) Refresh(ctx context.Context, r *http.Request, refreshToken string) (RefreshGrant, error) {
	id, ok := sessionParseToken(refreshToken)
	if !ok {
		return RefreshGrant{}, &RefreshInvalidError{Reason: SessionReasonMalformed}
	}
	now := t.now()
	refresh, nextID := newSessionToken()
	access, accessID := newSessionToken()
	prev, reason, err := t.store.Rotate(ctx, id, nextID, accessID, now, t.lim)
	if err != nil {
		return RefreshGrant{}, err
	}
	// Rotated or revoked, the family's previous access token is done.
	t.deleteAccess(ctx, prev.AccessID)
	if reason != 0 {
		return RefreshGrant{}, &RefreshInvalidError{Reason: reason}
	}
	s, err := t.sessions.storeNew(ctx, r, accessID, t.accessLogin(&prev), now, prev.AuthTime, t.accessExpiry(&prev, now))
	if err != nil {
		return RefreshGrant{}, err
	}
	// A concurrent reuse may have revoked the family between Rotate and
	// storing the access token, after deleting the (not yet stored) access
	// token: check, so a revoked family never leaves a live access token.
	alive, err := t.store.Alive(ctx, prev.ID, accessID)
	if err != nil || !alive {
		t.deleteAccess(ctx, accessID)
		if err != nil {
			return RefreshGrant{}, err
		}
		return RefreshGrant{}, &RefreshInvalidError{Reason: SessionReasonReused}
	}
	return RefreshGrant{
		AccessToken:      access,
		AccessExpiresAt:  s.ExpiresAt,
		RefreshToken:     refresh,
		RefreshExpiresAt: prev.ExpiresAt,
		Family:           prev.ID,
	}, nil
}

// Revoke ends the family of a refresh token (current or recently used) and
// its current access token: logout for API clients. An unknown token is a
// no-op.
func (t *RefreshTokens) Revoke(ctx context.Context, refreshToken string) error {
	id, ok := sessionParseToken(refreshToken)
	if !ok {
		return nil
	}
	access, ok, err := t.store.Revoke(ctx, id)
	if err != nil || !ok {
		return err
	}
	t.deleteAccess(ctx, access)
	return nil
}

// RevokeAllForUser ends every refresh-token family of userID and their
// access tokens, and returns how many families it ended. Call it together
// with [Sessions.RevokeAllForUser] on password change.
func (t *RefreshTokens) RevokeAllForUser(ctx context.Context, userID string) (int, error) {
	access, err := t.store.RevokeUser(ctx, userID)
	if err != nil {
		return 0, err
	}
	t.deleteAccess(ctx, access...)
	return len(access), nil
}

// deleteAccess deletes access-token sessions. Failures are ignored: access
// tokens expire within AccessTTL anyway.
func (t *RefreshTokens) deleteAccess(ctx context.Context, ids ...SessionID) {
	for _, id := range ids {
		if !id.IsZero() {
			_, _ = t.sessions.store.Delete(ctx, id, "")
		}
	}
}
