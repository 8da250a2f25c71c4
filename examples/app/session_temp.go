package main

// TEMPORARY: an app-local session layer standing in for authn part 2
// (authn.Sessions), which was still in review when this app was written.
// Its shape follows authn.Sessions (Create / Rotate / Revoke / RevokeID /
// RevokeAllForUser / List / Middleware / RequireRecentAuth) so that the
// swap is mechanical once authn.Sessions is on main. It keeps sessions in
// memory only, even when REDIS_URL is set.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sort"
	"sync"
	"time"
)

// sessionMethod records which factors a session has completed.
type sessionMethod uint8

const (
	methodPassword sessionMethod = 1 << iota
	methodTOTP
	methodBackupCode
)

// appSession is one server-side session. ID is the SHA-256 of the cookie
// token, so a dump of the store yields no usable cookies.
type appSession struct {
	ID         string
	UserID     string
	CreatedAt  time.Time
	AuthTime   time.Time // last time a credential was presented (login or step-up)
	LastSeen   time.Time
	Methods    sessionMethod
	MFAPending bool // password accepted, second factor still owed
	UserAgent  string
	IP         string
}

type sessionConfig struct {
	IdleTimeout     time.Duration // default 30 minutes
	AbsoluteTimeout time.Duration // default 12 hours
	// InsecureCookie drops the Secure attribute and the __Host- prefix, for
	// plain-HTTP test clients only. Browsers treat http://127.0.0.1 as a
	// secure context and accept Secure cookies there.
	InsecureCookie bool
	Now            func() time.Time
}

type sessions struct {
	mu     sync.Mutex
	byID   map[string]*appSession
	cfg    sessionConfig
	cookie string
}

func newSessions(cfg sessionConfig) *sessions {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	name := "__Host-session"
	if cfg.InsecureCookie {
		name = "session"
	}
	return &sessions{byID: map[string]*appSession{}, cfg: cfg, cookie: name}
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (m *sessions) setCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: m.cookie, Value: token, Path: "/", MaxAge: maxAge,
		Secure: !m.cfg.InsecureCookie, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// Create starts a session for userID after a successful login, replacing
// (revoking) whatever session the request carried: a fresh ID on every
// login defeats session fixation.
func (m *sessions) Create(w http.ResponseWriter, r *http.Request, userID string, methods sessionMethod, mfaPending bool) appSession {
	now := m.cfg.Now()
	s := appSession{UserID: userID, CreatedAt: now, AuthTime: now, LastSeen: now, Methods: methods, MFAPending: mfaPending,
		UserAgent: truncate(r.UserAgent(), 200), IP: clientIP(r)}
	return m.issue(w, r, s)
}

func (m *sessions) issue(w http.ResponseWriter, r *http.Request, s appSession) appSession {
	token := rand.Text() + rand.Text() // 2 x 128 bits, base32
	s.ID = sessionID(token)
	m.mu.Lock()
	if c, err := r.Cookie(m.cookie); err == nil {
		delete(m.byID, sessionID(c.Value))
	}
	m.byID[s.ID] = &s
	m.mu.Unlock()
	m.setCookie(w, token, 0)
	return s
}

// Rotate replaces the request's session with a new ID carrying the extra
// methods and a fresh auth time: after MFA and after step-up.
func (m *sessions) Rotate(w http.ResponseWriter, r *http.Request, add sessionMethod) (appSession, bool) {
	cur, ok := sessionFromContext(r.Context())
	if !ok {
		return appSession{}, false
	}
	next := cur
	next.Methods |= add
	next.MFAPending = false
	next.AuthTime = m.cfg.Now()
	return m.issue(w, r, next), true
}

// Revoke ends the request's session and clears the cookie (sign-out).
func (m *sessions) Revoke(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(m.cookie); err == nil {
		m.mu.Lock()
		delete(m.byID, sessionID(c.Value))
		m.mu.Unlock()
	}
	m.setCookie(w, "", -1)
}

// RevokeID ends one of userID's sessions; it cannot touch other users'.
func (m *sessions) RevokeID(_ context.Context, userID, id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.byID[id]; ok && s.UserID == userID {
		delete(m.byID, id)
		return true
	}
	return false
}

// RevokeAllForUser ends every session of userID except keep ("" for all).
func (m *sessions) RevokeAllForUser(_ context.Context, userID, keep string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, s := range m.byID {
		if s.UserID == userID && id != keep {
			delete(m.byID, id)
			n++
		}
	}
	return n
}

// List returns userID's live sessions, newest first.
func (m *sessions) List(_ context.Context, userID string) []appSession {
	now := m.cfg.Now()
	m.mu.Lock()
	var out []appSession
	for _, s := range m.byID {
		if s.UserID == userID && m.live(s, now) {
			out = append(out, *s)
		}
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

func (m *sessions) live(s *appSession, now time.Time) bool {
	return now.Before(s.CreatedAt.Add(m.cfg.AbsoluteTimeout)) && now.Before(s.LastSeen.Add(m.cfg.IdleTimeout))
}

type sessionKey struct{}

func sessionFromContext(ctx context.Context) (appSession, bool) {
	s, ok := ctx.Value(sessionKey{}).(appSession)
	return s, ok
}

// Middleware validates the session cookie, if any, and puts the session in
// the request context. Requests without a valid session pass through
// anonymous; RequireAuth decides what needs one.
func (m *sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(m.cookie)
		if err != nil || len(c.Value) > 128 {
			next.ServeHTTP(w, r)
			return
		}
		id := sessionID(c.Value)
		now := m.cfg.Now()
		m.mu.Lock()
		s, ok := m.byID[id]
		if ok && !m.live(s, now) {
			delete(m.byID, id)
			ok = false
		}
		var cur appSession
		if ok {
			s.LastSeen = now
			cur = *s
		}
		m.mu.Unlock()
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, cur)))
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// randomID returns a 128-bit random identifier for database rows.
func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
