package main

import (
	"context"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/egress"
	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/bulwark-go/bulwark/tenant"
	"github.com/bulwark-go/bulwark/totp"
)

// appConfig is everything the app needs from its environment. main builds
// it from the environment; tests build it directly.
type appConfig struct {
	Log     *slog.Logger
	DB      *db
	Secrets *secrets
	// DataDir holds the audit logs (and, in main, the SQLite file and
	// secrets).
	DataDir string
	// PublicURL is the origin used in links (invitations, resets,
	// approvals). Never taken from the request's Host header, which the
	// client controls.
	PublicURL string
	// Local enables /dev/outbox, the page listing "sent" emails. Only for
	// a developer machine: in production mail goes out by SMTP.
	Local bool
	// InsecureCookie drops Secure and __Host- from the session cookie, for
	// plain-HTTP test clients only (authn refuses it off loopback).
	InsecureCookie bool
	// SessionStore defaults to authn's memory store; Redis with REDIS_URL.
	SessionStore authn.SessionStore
	// Hasher defaults to authn's argon2id defaults; tests pass a weaker one.
	Hasher *authn.Hasher
	// Stores for rate limits, one-time tokens, approval nonces and the TOTP
	// replay guard and attempt counter: memory by default, Redis with
	// REDIS_URL.
	RateStore   ratelimit.Store
	TokenStore  authn.TokenStore
	NonceStore  authn.ApprovalNonceStore
	TOTPReplay  totp.ReplayStore
	TOTPAttempt totp.AttemptStore
	// Egress resolves integration hosts; nil uses the system resolver.
	EgressResolver egress.Resolver
	Now            func() time.Time
}

type app struct {
	cfg       appConfig
	log       *slog.Logger
	db        *db
	now       func() time.Time
	pages     *template.Template
	audit     *auditLog
	sess      *authn.Sessions
	hasher    *authn.Hasher
	policy    *authn.Policy
	resets    *authn.Tokens
	invites   *authn.Tokens
	approvals *authn.Approvals
	totp      *totp.Verifier
	backup    *totp.BackupCodes
	ring      *sealbox.Keyring
	egress    *egress.Policy
	guard     *tenant.Guard
	outbox    *outbox
	limits    limits
	// stderr receives the one-time console output (demo passwords).
	stderr io.Writer
}

// permApprove is the app's own permission, added to tenant's table: who may
// approve an agent action.
const permApprove tenant.Permission = "agent:approve"

func newApp(cfg appConfig) (*app, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DB == nil || cfg.Secrets == nil || cfg.DataDir == "" {
		return nil, errors.New("app: DB, Secrets and DataDir are required")
	}
	a := &app{cfg: cfg, log: cfg.Log, db: cfg.DB, now: cfg.Now, ring: cfg.Secrets.ring, outbox: newOutbox(cfg.Log, cfg.Local), stderr: os.Stderr}
	var err error
	if a.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if a.audit, err = openAuditLog(cfg.DataDir, cfg.Secrets.derive(labelAuditChain), cfg.Log); err != nil {
		return nil, err
	}
	if a.sess, err = a.newSessions(cfg.SessionStore); err != nil {
		return nil, err
	}
	a.hasher = cfg.Hasher
	if a.hasher == nil {
		if a.hasher, err = authn.NewHasher(authn.HasherConfig{}); err != nil {
			return nil, err
		}
	}
	if a.policy, err = authn.NewPolicy(authn.PolicyConfig{MinLength: 15, ContextWords: []string{"bulwark", "demo"}}); err != nil {
		return nil, err
	}
	tokenStore := cfg.TokenStore
	if tokenStore == nil {
		tokenStore = authn.NewMemoryTokenStore()
	}
	if a.resets, err = authn.NewTokens(authn.TokenConfig{Purpose: "password-reset", TTL: 30 * time.Minute, Store: tokenStore, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if a.invites, err = authn.NewTokens(authn.TokenConfig{Purpose: "invitation", TTL: 7 * 24 * time.Hour, Store: tokenStore, KeepPrevious: true, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if a.approvals, err = authn.NewApprovals(authn.ApprovalConfig{
		Keys: []authn.ApprovalKey{authn.NewApprovalKey(cfg.Secrets.derive(labelApprovals))}, Nonces: cfg.NonceStore, Now: cfg.Now,
	}); err != nil {
		return nil, err
	}
	var memTOTP *totp.MemoryStore
	if cfg.TOTPReplay == nil || cfg.TOTPAttempt == nil {
		memTOTP = totp.NewMemoryStore()
		if cfg.TOTPReplay == nil {
			cfg.TOTPReplay = memTOTP
		}
		if cfg.TOTPAttempt == nil {
			cfg.TOTPAttempt = memTOTP
		}
	}
	if a.totp, err = totp.New(totp.Config{Issuer: "Bulwark demo", ReplayStore: cfg.TOTPReplay, AttemptStore: cfg.TOTPAttempt, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if a.backup, err = totp.NewBackupCodes(totp.BackupConfig{
		Key: cfg.Secrets.derive(labelBackupCodes), Store: backupStore{cfg.DB}, AttemptStore: cfg.TOTPAttempt, Now: cfg.Now,
	}); err != nil {
		return nil, err
	}
	if a.egress, err = egress.NewPolicy(egress.Config{AllowedSchemes: []string{"https"}, Resolver: cfg.EgressResolver}); err != nil {
		return nil, err
	}
	perms := tenant.DefaultPermissions()
	perms[permApprove] = tenant.RoleAdmin
	if a.guard, err = tenant.New(tenant.Config{
		Memberships: cfg.DB,
		UserID:      a.userID,
		Permissions: perms,
		OnDecision:  a.onTenantDecision,
		UnauthenticatedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.redirectToSignIn(w, r)
		}),
		NotFoundHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.errorPage(w, r, http.StatusNotFound, "Page not found.")
		}),
		ForbiddenHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.errorPage(w, r, http.StatusForbidden, "Your role in this organisation does not allow this.")
		}),
	}); err != nil {
		return nil, err
	}
	if cfg.DB.postgres {
		cfg.DB.roles = tenant.MustNewRoleStore(tenant.RoleStoreConfig{})
	}
	if a.limits, err = a.newLimits(cfg.RateStore, cfg.Secrets.derive(labelRateLimit)); err != nil {
		return nil, err
	}
	return a, nil
}

// Close drains the asynchronous audit sink: every event accepted before
// shutdown is written and the chain checkpointed.
func (a *app) Close(ctx context.Context) error {
	return a.audit.Close(ctx)
}

// userID is the seam between the session layer and the tenant guard, rate
// limiter and audit: the signed-in user, if the session is complete.
func (a *app) userID(r *http.Request) (string, bool) {
	s, ok := sessionFromContext(r.Context())
	if !ok || s.MFAPending {
		return "", false
	}
	return s.UserID, true
}

func (a *app) onTenantDecision(d tenant.Decision) {
	if d.Allowed || d.Request == nil {
		return
	}
	e := audit.Event{Action: audit.ActionAccessDenied, Outcome: audit.Denied, Severity: audit.SeverityLow,
		OrgID: d.OrgID, Reason: string(d.Reason), Metadata: map[string]string{"path": auditPath(d.Request)}}
	if d.Permission != "" {
		e.Metadata["permission"] = string(d.Permission)
	}
	if d.Reason == tenant.ReasonNotMember {
		// Do not file the denial under the probed org: its admins would
		// learn who is probing, and the event is the prober's, not theirs.
		e.OrgID = ""
		e.Metadata["probed_org"] = d.OrgID
		e.Severity = audit.SeverityMedium
	}
	a.record(d.Request, e)
}

// record fills the request fields of e and writes it to the audit log.
// A failing audit write is logged loudly but does not fail the request
// that already happened.
func (a *app) record(r *http.Request, e audit.Event) {
	a.audit.http.Fill(&e, r)
	if e.Actor.UserID == "" {
		if s, ok := sessionFromContext(r.Context()); ok {
			e.Actor.UserID = s.UserID
		}
	}
	if err := a.audit.log.Log(r.Context(), e); err != nil {
		a.log.Error("audit write failed", "action", e.Action, "err", err)
	}
}

func (a *app) link(path string) string { return a.cfg.PublicURL + path }

// auditPath is r's path for an audit event or a log line, clipped, with the approval
// link's token ("/orgs/{org}/approve/{token}", a bearer secret) replaced by
// audit.Redacted: the guard denies that path to anyone signed out or below
// admin, and the audit log must not hand the link on. Requests refused
// before routing (CSRF) have no path values; a cross-site POST carries a
// token the attacker already holds.
func auditPath(r *http.Request) string {
	p := r.URL.Path
	if tok := r.PathValue("token"); tok != "" {
		p = strings.Replace(p, tok, audit.Redacted, 1)
	}
	return clip(p, 200)
}

// clip bounds client-supplied text before it goes into an audit event
// (the audit encoder escapes it; this keeps one request from writing a
// 64 KiB record). It cuts at a byte boundary, which the encoder turns into
// U+FFFD if it splits a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
