package main

import (
	"net/http"
	"time"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/headers"
	"github.com/bulwark-go/bulwark/tenant"
)

// stepUpAge is how recent a password (or TOTP) entry must be for sensitive
// changes: integrations, TOTP disable and backup-code regeneration.
const stepUpAge = 10 * time.Minute

// orgRoute is one org-scoped route and the permission it needs. The
// cross-tenant matrix test walks this table, so a route added here is
// tested for every role without further work.
type orgRoute struct {
	Pattern string
	Perm    tenant.Permission
	Handler func(a *app, w http.ResponseWriter, r *http.Request)
}

var orgRoutes = []orgRoute{
	{"GET /orgs/{org}", tenant.PermRead, (*app).orgHome},
	{"POST /orgs/{org}/invites", tenant.PermManageMembers, (*app).orgInvite},
	{"POST /orgs/{org}/members/{user}/role", tenant.PermManageMembers, (*app).orgChangeRole},
	{"POST /orgs/{org}/members/{user}/remove", tenant.PermManageMembers, (*app).orgRemove},
	{"POST /orgs/{org}/leave", tenant.PermRead, (*app).orgLeave},
	{"GET /orgs/{org}/integrations", tenant.PermManageIntegrations, (*app).integrationsPage},
	{"POST /orgs/{org}/integrations", tenant.PermManageIntegrations, (*app).integrationSave},
	{"POST /orgs/{org}/integrations/{kind}/delete", tenant.PermManageIntegrations, (*app).integrationDelete},
	{"GET /orgs/{org}/assistant", tenant.PermRead, (*app).assistantPage},
	{"POST /orgs/{org}/assistant", tenant.PermWrite, (*app).assistantPropose},
	{"GET /orgs/{org}/approve/{token}", permApprove, (*app).approvePage},
	{"POST /orgs/{org}/approve/{token}", permApprove, (*app).approveDecide},
	{"GET /orgs/{org}/audit", tenant.PermViewAudit, (*app).auditPage},
	{"GET /orgs/{org}/audit/export", tenant.PermViewAudit, (*app).auditExport},
}

// newServer assembles the application. The request path, outermost first:
//
//	headers (CSP nonce, HSTS on HTTPS, framing, ...) -> CSRF (cross-origin
//	POSTs refused) -> audit request IDs -> session -> mux -> per route:
//	rate limit -> NoStore -> tenant guard / sign-in check -> handler
func (a *app) handler() (http.Handler, error) {
	// The default strict policy, plus data: images for the TOTP QR code
	// (totp.Enrollment.QRCodeDataURL). data: stays out of script sources.
	csp := headers.DefaultPolicy()
	csp[headers.ImgSrc] = []headers.Source{headers.Self, "data:"}
	sec, err := headers.New(headers.Config{CSP: csp})
	if err != nil {
		return nil, err
	}
	csrf, err := headers.NewCSRF(headers.CSRFConfig{
		DeniedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.record(r, audit.Event{Action: audit.ActionCSRFRejected, Outcome: audit.Denied, Severity: audit.SeverityMedium,
				Metadata: map[string]string{"path": auditPath(r), "sec_fetch_site": clip(r.Header.Get("Sec-Fetch-Site"), 32)}})
			http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
		}),
	})
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	hf := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	authed := func(f http.HandlerFunc) http.Handler { return headers.NoStore(a.requireAuth(f)) }
	// Step-up: authn's RequireRecentAuth answers stale sessions with the
	// password prompt (SessionConfig.StepUpHandler).
	recent := func(f http.HandlerFunc) http.HandlerFunc { return a.sess.RequireRecentAuth(stepUpAge)(f).ServeHTTP }

	// Anonymous pages.
	mux.Handle("GET /{$}", hf(a.home))
	mux.Handle("GET /signin", headers.NoStore(hf(a.signInPage)))
	mux.Handle("POST /signin", headers.NoStore(a.limits.signIn.Handler(hf(a.signIn))))
	mux.Handle("GET /signup", headers.NoStore(hf(a.signUpPage)))
	mux.Handle("POST /signup", headers.NoStore(a.limits.signUp.Handler(hf(a.signUp))))
	mux.Handle("GET /signin/mfa", headers.NoStore(hf(a.mfaPage)))
	mux.Handle("POST /signin/mfa", headers.NoStore(a.limits.mfa.Handler(hf(a.mfaVerify))))
	mux.Handle("GET /reset", headers.NoStore(hf(a.resetRequestPage)))
	mux.Handle("POST /reset", headers.NoStore(a.limits.reset.Handler(hf(a.resetRequest))))
	mux.Handle("GET /reset/confirm", headers.NoStore(hf(a.resetConfirmPage)))
	mux.Handle("POST /reset/confirm", headers.NoStore(a.limits.resetConfirm.Handler(hf(a.resetConfirm))))
	mux.Handle("GET /nonce", hf(a.noncePage))
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	if a.cfg.Local {
		mux.Handle("GET /dev/outbox", headers.NoStore(hf(a.outboxPage)))
	}

	// Signed-in pages.
	mux.Handle("POST /signout", authed(a.signOut))
	mux.Handle("GET /reauth", authed(a.reauthPage))
	mux.Handle("POST /reauth", headers.NoStore(a.requireAuth(a.limits.reauth.Handler(hf(a.reauth)))))
	mux.Handle("GET /account", authed(a.accountPage))
	mux.Handle("POST /account/sessions/{id}/revoke", authed(a.revokeSession))
	mux.Handle("POST /account/sessions/revoke-others", authed(a.revokeOtherSessions))
	mux.Handle("POST /account/totp/enrol", authed(a.totpEnrol))
	mux.Handle("POST /account/totp/confirm", authed(a.totpConfirm))
	mux.Handle("POST /account/totp/disable", authed(recent(a.totpDisable)))
	mux.Handle("POST /account/totp/backup-codes", authed(recent(a.totpRegenerate)))
	mux.Handle("GET /orgs", authed(a.orgsPage))
	mux.Handle("POST /orgs", authed(a.orgCreate))
	mux.Handle("GET /invites/accept", headers.NoStore(hf(a.acceptPage)))
	mux.Handle("POST /invites/accept", authed(a.limits.accept.Handler(hf(a.acceptInvite)).ServeHTTP))

	// Organisation pages: every one behind the tenant guard.
	for _, rt := range orgRoutes {
		h := rt.Handler
		mux.Handle(rt.Pattern, headers.NoStore(a.guard.Require(rt.Perm)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(a, w, r) }))))
	}

	return sec.Handler(csrf.Handler(a.audit.http.Middleware(a.sess.Middleware(mux)))), nil
}

// requireAuth lets only fully signed-in users through (a session that still
// owes its second factor does not count).
func (a *app) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := a.userID(r); !ok {
			a.redirectToSignIn(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recentAuth reports whether the session's last credential entry is within
// stepUpAge.
func (a *app) recentAuth(r *http.Request) bool {
	s, ok := sessionFromContext(r.Context())
	return ok && a.now().Sub(s.AuthTime) <= stepUpAge
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.userID(r); ok {
		redirect(w, r, "/orgs")
		return
	}
	a.signInPage(w, r)
}

func (a *app) noncePage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "nonce.html", pageData{Title: "CSP nonce demo"})
}

func (a *app) outboxPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "outbox.html", pageData{Title: "Local outbox", Data: a.outbox.list()})
}
