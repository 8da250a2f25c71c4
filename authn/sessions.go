// Sessions: configuration and the session lifecycle (create, rotate, revoke, list).

package authn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bulwark-go/bulwark/internal/clientip"
)

// SessionConfig configures [NewSessions]. The zero SessionConfig is safe:
// memory store, NIST SP 800-63B AAL2 timeouts (1 hour idle, 24 hours
// absolute), a "__Host-session" cookie that is HttpOnly, Secure and
// SameSite=Lax, and no bearer tokens.
type SessionConfig struct {
	// Store keeps the sessions. Default: a new [MemorySessionStore], which
	// is per process; use authn/redisstore.SessionStore when several
	// instances serve the same users.
	Store SessionStore

	// IdleTimeout ends a session that has not been used for this long.
	// Default 1 hour (NIST SP 800-63B AAL2); at least one second (stores
	// keep milliseconds). Because LastSeen is written
	// at most once per TouchInterval, the effective idle timeout lies
	// between IdleTimeout-TouchInterval and IdleTimeout.
	IdleTimeout time.Duration

	// AbsoluteTimeout ends a session this long after login, however busy.
	// Default 24 hours (NIST SP 800-63B AAL2). Must be >= IdleTimeout.
	// Rotation keeps the original deadline.
	AbsoluteTimeout time.Duration

	// TouchInterval is the minimum time between two LastSeen writes for a
	// session, so a busy session does not write on every request. Default
	// 1 minute, or IdleTimeout/10 if smaller. Must be < IdleTimeout.
	TouchInterval time.Duration

	// MaxSessionsPerUser caps the live sessions (including access tokens
	// minted by [RefreshTokens]) one user may hold. Creating one more
	// evicts the earliest-created. Default 50; at most 10000.
	MaxSessionsPerUser int

	// MaxDataBytes bounds SessionLogin.Data/SessionChange.Data: the total
	// length of keys and values. Default 4096; at most 65536. Session data
	// is read on every request: keep it small and put the rest in your
	// database.
	MaxDataBytes int

	// CookieName is the cookie's name without prefix. Default "session".
	// The "__Host-" prefix is always added (so the cookie is sent only to
	// this exact host, over HTTPS, for Path=/), except in InsecureCookie
	// mode. A leading "__Host-" in the value is accepted and ignored.
	CookieName string

	// CookieSameSite is http.SameSiteLaxMode (the default) or
	// http.SameSiteStrictMode. SameSite=None is refused: it would send the
	// session on cross-site requests.
	CookieSameSite http.SameSite

	// PersistentCookie gives the cookie a Max-Age equal to the remaining
	// absolute lifetime, so it survives a browser restart. Default false:
	// a browser-session cookie, which is safer on shared computers.
	PersistentCookie bool

	// InsecureCookie drops the Secure attribute and the "__Host-" prefix so
	// sessions work over plain HTTP. FOR LOCAL DEVELOPMENT ONLY: the cookie
	// then travels in clear text and can be set by other hosts. As a
	// guard, [Sessions.Create] refuses with [ErrSessionInsecureHost] when
	// the request's Host is not localhost or a loopback address.
	InsecureCookie bool

	// AllowBearer also accepts tokens from an "Authorization: Bearer"
	// header (API clients; access tokens of [RefreshTokens]). Default
	// false: only the cookie is read. Bearer tokens are not sent by
	// browsers automatically, so they are not exposed to CSRF, but a
	// script that can read one (XSS) can exfiltrate it.
	AllowBearer bool

	// ClientIP returns the client address recorded at creation for the
	// "your sessions" list. Default: the socket peer's IP address, or ""
	// for a peer that has none (a Unix socket). Behind a proxy, pass a
	// function that honours only trusted proxies.
	ClientIP func(r *http.Request) string

	// Now returns the current time. Default time.Now. For tests.
	Now func() time.Time

	// OnInvalid is called for every presented token that is refused,
	// with the reason (and the store error for SessionReasonStore). Use
	// it for logging and auditing; it must not write to w. Default: none.
	OnInvalid func(r *http.Request, reason SessionReason, err error)

	// UnauthenticatedHandler answers [Sessions.RequireAuth] (and the
	// other Require middlewares) when no valid session is present.
	// Default: 401 with a plain-text body (and "WWW-Authenticate: Bearer"
	// when AllowBearer is set). A browser app typically
	// redirects to its login page, using [RequireDenialFromContext] for
	// the return path.
	UnauthenticatedHandler http.Handler

	// MFAHandler answers [Sessions.RequireMFA] when the session lacks a
	// second factor. Default: 403 with a plain-text body.
	MFAHandler http.Handler

	// StepUpHandler answers [Sessions.RequireRecentAuth] when the last
	// authentication is too old. Default: 401 with a plain-text body. It
	// typically redirects to a re-authentication page, which calls
	// [Sessions.Rotate] with AddMethods set and then redirects to
	// RequireDenial.ReturnTo.
	StepUpHandler http.Handler

	// StoreErrorHandler answers requests whose session could not be
	// checked because the store failed (fail closed). Default: 503 with a
	// plain-text body.
	StoreErrorHandler http.Handler
}

// Sessions manages server-side sessions: it creates, validates, rotates and
// revokes them and provides the middleware that puts a [Principal] in the
// request context. Create one with [NewSessions]; it is safe for concurrent
// use.
//
// For most uses: wrap the mux with [Sessions.Middleware], call
// [Sessions.Create] after a successful login, [Sessions.Rotate] after MFA
// or a role change, [Sessions.Revoke] on logout, and
// [Sessions.RevokeAllForUser] on password change.
type Sessions struct {
	store     SessionStore
	lim       SessionLimits
	absolute  time.Duration
	maxData   int
	cookie    sessionCookieSpec
	bearer    bool
	clientIP  func(*http.Request) string
	now       func() time.Time
	onInvalid func(*http.Request, SessionReason, error)
	unauth    http.Handler
	mfa       http.Handler
	stepUp    http.Handler
	storeErr  http.Handler
}

// Session configuration limits.
const (
	sessionMaxUserID     = 256
	sessionMaxUserAgent  = 256
	sessionMaxIP         = 64
	sessionMaxDataLimit  = 1 << 16
	sessionMaxPerUserMax = 10000
)

// NewSessions validates cfg and returns a session manager. The error names
// the offending field.
func NewSessions(cfg SessionConfig) (*Sessions, error) {
	m := &Sessions{
		store:     cfg.Store,
		absolute:  cfg.AbsoluteTimeout,
		maxData:   cfg.MaxDataBytes,
		bearer:    cfg.AllowBearer,
		clientIP:  cfg.ClientIP,
		now:       cfg.Now,
		onInvalid: cfg.OnInvalid,
		unauth:    cfg.UnauthenticatedHandler,
		mfa:       cfg.MFAHandler,
		stepUp:    cfg.StepUpHandler,
		storeErr:  cfg.StoreErrorHandler,
		lim: SessionLimits{
			Idle:       cfg.IdleTimeout,
			Touch:      cfg.TouchInterval,
			MaxPerUser: cfg.MaxSessionsPerUser,
		},
	}
	if m.store == nil {
		m.store = NewMemorySessionStore()
	}
	switch {
	case m.lim.Idle == 0:
		m.lim.Idle = time.Hour
	case m.lim.Idle < time.Second:
		return nil, errors.New("authn: SessionConfig.IdleTimeout must be at least one second")
	}
	switch {
	case m.absolute == 0:
		m.absolute = 24 * time.Hour
	case m.absolute < 0:
		return nil, errors.New("authn: SessionConfig.AbsoluteTimeout must not be negative")
	}
	if m.absolute < m.lim.Idle {
		return nil, errors.New("authn: SessionConfig.AbsoluteTimeout must be at least IdleTimeout")
	}
	switch {
	case m.lim.Touch == 0:
		m.lim.Touch = min(time.Minute, m.lim.Idle/10)
	case m.lim.Touch < 0 || m.lim.Touch >= m.lim.Idle:
		return nil, errors.New("authn: SessionConfig.TouchInterval must be positive and less than IdleTimeout")
	}
	switch {
	case m.lim.MaxPerUser == 0:
		m.lim.MaxPerUser = 50
	case m.lim.MaxPerUser < 0 || m.lim.MaxPerUser > sessionMaxPerUserMax:
		return nil, fmt.Errorf("authn: SessionConfig.MaxSessionsPerUser must be between 1 and %d", sessionMaxPerUserMax)
	}
	switch {
	case m.maxData == 0:
		m.maxData = 4096
	case m.maxData < 0 || m.maxData > sessionMaxDataLimit:
		return nil, fmt.Errorf("authn: SessionConfig.MaxDataBytes must be between 1 and %d", sessionMaxDataLimit)
	}
	name, err := sessionCookieBase("SessionConfig.CookieName", cfg.CookieName, "session")
	if err != nil {
		return nil, err
	}
	switch cfg.CookieSameSite {
	case 0, http.SameSiteDefaultMode, http.SameSiteLaxMode, http.SameSiteStrictMode:
	default:
		return nil, errors.New("authn: SessionConfig.CookieSameSite must be Lax or Strict")
	}
	m.cookie = newSessionCookieSpec(name, "/", cfg.CookieSameSite, cfg.PersistentCookie, cfg.InsecureCookie)
	if m.clientIP == nil {
		m.clientIP = sessionRemoteIP
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.onInvalid == nil {
		m.onInvalid = func(*http.Request, SessionReason, error) {}
	}
	if m.unauth == nil {
		m.unauth = sessionPlain(http.StatusUnauthorized, "Unauthorized")
		if m.bearer {
			// RFC 6750 section 3: a 401 names the scheme to use.
			plain := m.unauth
			m.unauth = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
				plain.ServeHTTP(w, r)
			})
		}
	}
	if m.mfa == nil {
		m.mfa = sessionPlain(http.StatusForbidden, "Forbidden")
	}
	if m.stepUp == nil {
		m.stepUp = sessionPlain(http.StatusUnauthorized, "Reauthentication required")
	}
	if m.storeErr == nil {
		m.storeErr = sessionPlain(http.StatusServiceUnavailable, "Service Unavailable")
	}
	return m, nil
}

// MustNewSessions is like [NewSessions] but panics on a configuration
// error. For tests and examples.
func MustNewSessions(cfg SessionConfig) *Sessions {
	m, err := NewSessions(cfg)
	if err != nil {
		panic(err)
	}
	return m
}

// CookieName returns the full name of the session cookie, e.g.
// "__Host-session".
func (m *Sessions) CookieName() string { return m.cookie.name }

// Create starts a new session after a successful login and sets the
// cookie. It always issues a new token, and revokes the session of any
// cookie the request carried, so a token planted before login is never the
// one after it (session fixation). The returned Session describes the new
// session.
func (m *Sessions) Create(w http.ResponseWriter, r *http.Request, login SessionLogin) (Session, error) {
	if m.cookie.insecure && !sessionLoopbackHost(r.Host) {
		return Session{}, ErrSessionInsecureHost
	}
	if err := m.checkLogin(login.UserID, login.Methods, login.Data); err != nil {
		return Session{}, err
	}
	if old, ok := sessionCookieValue(r.Header, m.cookie.name); ok {
		if id, ok := sessionParseToken(old); ok {
			if _, err := m.store.Delete(r.Context(), id, ""); err != nil {
				return Session{}, err
			}
		}
	}
	now := m.now()
	tok, s, err := m.issue(r.Context(), r, login, now, now, now.Add(m.absolute))
	if err != nil {
		return Session{}, err
	}
	m.cookie.set(w, tok, now, s.ExpiresAt)
	return s, nil
}

// Issue creates a session for an API client and returns its token, to be
// sent as "Authorization: Bearer <token>" (requires
// [SessionConfig].AllowBearer to be accepted). r may be nil; when given,
// its User-Agent and client IP are recorded. Browser logins use
// [Sessions.Create] instead.
func (m *Sessions) Issue(ctx context.Context, r *http.Request, login SessionLogin) (SessionToken, Session, error) {
	if err := m.checkLogin(login.UserID, login.Methods, login.Data); err != nil {
		return SessionToken{}, Session{}, err
	}
	now := m.now()
	return m.issue(ctx, r, login, now, now, now.Add(m.absolute))
}

// issue stores a new session with the given times.
func (m *Sessions) issue(ctx context.Context, r *http.Request, login SessionLogin, now, authTime, expires time.Time) (SessionToken, Session, error) {
	tok, id := newSessionToken()
	s, err := m.storeNew(ctx, r, id, login, now, authTime, expires)
	return tok, s, err
}

// storeNew stores a new session with ID id.
func (m *Sessions) storeNew(ctx context.Context, r *http.Request, id SessionID, login SessionLogin, now, authTime, expires time.Time) (Session, error) {
	s := Session{
		ID:        id,
		UserID:    login.UserID,
		CreatedAt: now,
		ExpiresAt: expires,
		AuthTime:  authTime,
		LastSeen:  now,
		Methods:   login.Methods,
		Data:      maps.Clone(login.Data),
	}
	if r != nil {
		s.UserAgent = sessionTruncate(r.UserAgent(), sessionMaxUserAgent)
		s.IP = sessionTruncate(m.clientIP(r), sessionMaxIP)
	}
	if err := m.store.Create(ctx, s, m.lim); err != nil {
		return Session{}, err
	}
	return s, nil
}

// Rotate replaces the current session (from the [Principal] that
// [Sessions.Middleware] put in r's context) with a new token and sets the
// cookie. Call it on every privilege change: MFA completion, step-up
// re-authentication (with change.AddMethods set, which also resets
// AuthTime), role change. The absolute deadline is kept. The old token
// stops working at once; of two concurrent Rotate calls for one session,
// one fails with [ErrSessionInvalid].
//
// Rotate works for cookie sessions only; a bearer principal gets
// [ErrSessionInvalid].
func (m *Sessions) Rotate(w http.ResponseWriter, r *http.Request, change SessionChange) (Session, error) {
	p, ok := PrincipalFromContext(r.Context())
	if !ok || p.Bearer {
		return Session{}, &SessionInvalidError{Reason: SessionReasonUnknown}
	}
	data := p.Data
	if change.Data != nil {
		data = change.Data
	}
	if err := m.checkLogin(p.UserID, change.AddMethods, data); err != nil {
		return Session{}, err
	}
	now := m.now()
	tok, id := newSessionToken()
	s := p.Session
	s.ID = id
	s.LastSeen = now
	s.Data = maps.Clone(data)
	if change.AddMethods != 0 {
		s.Methods |= change.AddMethods
		s.AuthTime = now
	}
	ok, err := m.store.Replace(r.Context(), p.ID, s, now, m.lim)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		m.onInvalid(r, SessionReasonUnknown, nil)
		return Session{}, &SessionInvalidError{Reason: SessionReasonUnknown}
	}
	m.cookie.set(w, tok, now, s.ExpiresAt)
	return s, nil
}

// Revoke ends the request's session (logout): it deletes it from the store
// and deletes the cookie. It works with or without [Sessions.Middleware]
// and is a no-op for a request without a session.
func (m *Sessions) Revoke(w http.ResponseWriter, r *http.Request) error {
	var id SessionID
	if p, ok := PrincipalFromContext(r.Context()); ok {
		id = p.ID
	} else if tok, _, ok := m.token(r); ok {
		id, _ = sessionParseToken(tok)
	}
	m.cookie.del(w)
	if id.IsZero() {
		return nil
	}
	_, err := m.store.Delete(r.Context(), id, "")
	return err
}

// RevokeID ends one session of userID, e.g. from a "your sessions" page. It
// reports whether such a session existed; a session of another user is
// never deleted.
func (m *Sessions) RevokeID(ctx context.Context, userID string, id SessionID) (bool, error) {
	if userID == "" {
		return false, nil
	}
	return m.store.Delete(ctx, id, userID)
}

// RevokeAllForUser ends every session of userID, except keep (pass the
// current Principal's ID to keep the session that changed the password, or
// the zero ID to end all). Call it on password change and on suspected
// account compromise. It returns how many sessions it ended.
func (m *Sessions) RevokeAllForUser(ctx context.Context, userID string, keep SessionID) (int, error) {
	return m.store.DeleteUser(ctx, userID, keep)
}

// List returns the live sessions of userID, oldest first, for a "your
// sessions" page (device, IP, created, last seen).
func (m *Sessions) List(ctx context.Context, userID string) ([]Session, error) {
	return m.store.List(ctx, userID, m.now(), m.lim)
}

// Validate checks a token and returns its session, recording the use. It
// is the decision behind [Sessions.Middleware]; errors are
// *[SessionInvalidError] (errors.Is ErrSessionInvalid) or store failures.
func (m *Sessions) Validate(ctx context.Context, token string) (Session, error) {
	s, reason, err := m.validate(ctx, token)
	if err != nil {
		return Session{}, err
	}
	if reason != 0 {
		return Session{}, &SessionInvalidError{Reason: reason}
	}
	return s, nil
}

// validate is [Sessions.Validate] with the reason as a value, so the
// middleware allocates no error for a refused token.
func (m *Sessions) validate(ctx context.Context, token string) (Session, SessionReason, error) {
	id, ok := sessionParseToken(token)
	if !ok {
		return Session{}, SessionReasonMalformed, nil
	}
	return m.store.Validate(ctx, id, m.now(), m.lim)
}

// checkLogin validates caller-supplied session contents.
func (m *Sessions) checkLogin(userID string, methods SessionMethod, data map[string]string) error {
	if userID == "" {
		return errors.New("authn: session needs a UserID")
	}
	if len(userID) > sessionMaxUserID {
		return ErrSessionDataTooLarge
	}
	if methods&^sessionMethodsAll != 0 {
		return errors.New("authn: unknown SessionMethod bits")
	}
	n := 0
	for k, v := range data {
		n += len(k) + len(v)
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			// Stores encode Data as JSON, which would replace the
			// invalid bytes: refuse rather than alter the data.
			return errSessionDataUTF8
		}
	}
	if n > m.maxData {
		return ErrSessionDataTooLarge
	}
	return nil
}

var errSessionDataUTF8 = errors.New("authn: session data keys and values must be valid UTF-8")

// sessionRemoteIP is the default ClientIP: the socket peer's IP address,
// or "" when it has none (a Unix socket, whose RemoteAddr is a name its
// client chose).
func sessionRemoteIP(r *http.Request) string {
	if a, ok := clientip.Peer(r); ok {
		return a.String()
	}
	return ""
}

// sessionTruncate cuts s to at most n bytes of valid UTF-8: invalid bytes,
// including those of a character split by the cut, are dropped.
func sessionTruncate(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// sessionPlain returns a handler writing a fixed plain-text response.
func sessionPlain(code int, msg string) http.Handler {
	body := []byte(msg + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(code)
		_, _ = w.Write(body)
	})
}
