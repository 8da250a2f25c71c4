package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/bulwark-go/bulwark/totp"
)

type signInData struct {
	Email string
	Next  string
}

type reauthData struct{ Next string }

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return len(s) <= 254 && at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>\"")
}

// policyMessage turns a Policy error into the sentence shown to the user
// (the error explains the rule, never echoes the password).
func policyMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "authn: ")
	return strings.ToUpper(msg[:1]) + msg[1:]
}

func (a *app) signInPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "signin.html", pageData{Title: "Sign in", Data: signInData{Next: localPath(r.URL.Query().Get("next"))}})
}

func (a *app) signUpPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "signup.html", pageData{Title: "Create an account"})
}

func (a *app) signUp(w http.ResponseWriter, r *http.Request) {
	email, name, password := normEmail(r.PostFormValue("email")), strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password")
	fail := func(msg string) {
		a.render(w, r, http.StatusUnprocessableEntity, "signup.html", pageData{Title: "Create an account", Error: msg, Data: signInData{Email: email}})
	}
	if !validEmail(email) {
		fail("Enter a valid email address.")
		return
	}
	if name == "" || len(name) > 100 {
		fail("Enter your name (at most 100 characters).")
		return
	}
	if err := a.policy.Check(password, email, name); err != nil {
		fail(policyMessage(err))
		return
	}
	hash, err := a.hasher.Hash(r.Context(), password)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	u := user{ID: randomID(), Email: email, Name: name, PasswordHash: hash}
	if err := a.db.createUser(r.Context(), u, a.now()); err != nil {
		if errors.Is(err, errEmailTaken) {
			// Sign-up necessarily tells whether an address is free; it is
			// rate limited per IP like sign-in.
			fail("An account with this email already exists. Sign in, or reset your password.")
			return
		}
		a.serverError(w, r, err)
		return
	}
	if err := a.startSession(w, r, u.ID, false); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionSignup, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}, Target: audit.Target{Type: "user", ID: u.ID}})
	redirect(w, r, "/account")
}

// signIn checks the password in equal time whether or not the account
// exists (authn.Authenticate) and answers every failure with one message.
func (a *app) signIn(w http.ResponseWriter, r *http.Request) {
	email, password := normEmail(r.PostFormValue("email")), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	var attempted string // the account tried, if it exists: audit only, never shown
	u, rehash, err := authn.Authenticate(r.Context(), a.hasher, password, func(ctx context.Context) (user, string, bool, error) {
		u, found, err := a.db.userByEmail(ctx, email)
		attempted = u.ID
		return u, u.PasswordHash, found, err
	})
	if err != nil {
		if !errors.Is(err, authn.ErrInvalidCredentials) {
			a.serverError(w, r, err)
			return
		}
		e := audit.Event{Action: audit.ActionLoginFailed, Outcome: audit.Failure, Severity: audit.SeverityLow, Reason: "invalid credentials"}
		if attempted != "" {
			e.Target = audit.Target{Type: "user", ID: attempted}
		}
		a.record(r, e)
		a.render(w, r, http.StatusUnauthorized, "signin.html", pageData{Title: "Sign in", Error: "Invalid email or password.", Data: signInData{Email: email, Next: next}})
		return
	}
	if rehash {
		// The stored hash still works, so sign-in goes on; but a failed
		// upgrade must not go unnoticed.
		h, err := a.hasher.Hash(r.Context(), password)
		if err == nil {
			err = a.db.setPassword(r.Context(), u.ID, h)
		}
		if err != nil {
			a.log.Error("password hash upgrade failed", "user", u.ID, "err", err)
		}
	}
	if u.TOTPEnabled {
		if err := a.startSession(w, r, u.ID, true); err != nil {
			a.serverError(w, r, err)
			return
		}
		redirect(w, r, "/signin/mfa?next="+url.QueryEscape(next))
		return
	}
	if err := a.startSession(w, r, u.ID, false); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionLoginSucceeded, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}, Metadata: map[string]string{"mfa": "none"}})
	if next == "/" {
		next = "/orgs"
	}
	redirect(w, r, next)
}

func (a *app) signOut(w http.ResponseWriter, r *http.Request) {
	a.record(r, audit.Event{Action: audit.ActionLogout, Outcome: audit.Success})
	if err := a.sess.Revoke(w, r); err != nil {
		a.serverError(w, r, err)
		return
	}
	redirect(w, r, "/signin")
}

// pendingMFA returns the session that has passed the password step and
// still owes a second factor.
func (a *app) pendingMFA(r *http.Request) (appSession, bool) {
	s, ok := sessionFromContext(r.Context())
	return s, ok && s.MFAPending
}

func (a *app) mfaPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.pendingMFA(r); !ok {
		redirect(w, r, "/signin")
		return
	}
	a.render(w, r, http.StatusOK, "mfa.html", pageData{Title: "Two-factor authentication", Data: signInData{Next: localPath(r.URL.Query().Get("next"))}})
}

// totpAAD binds a sealed TOTP secret to its user and field.
func totpAAD(userID string) []byte { return sealbox.AAD("user", userID, "field", "totp_secret") }

func (a *app) openTOTP(u user) (totp.Secret, error) {
	s, err := a.ring.OpenText(u.TOTPSealed, totpAAD(u.ID))
	if err != nil {
		return totp.Secret{}, err
	}
	return totp.ParseSecret(s.Reveal())
}

// checkSecondFactor verifies a TOTP code or, if it looks like one, a backup
// code, and audits the outcome. It returns the method used.
func (a *app) checkSecondFactor(r *http.Request, u user, code string) (authn.SessionMethod, error) {
	code = strings.TrimSpace(code)
	if strings.ContainsAny(strings.ToUpper(code), "ABCDEFGHJKMNPQRSTVWXYZ") || len(code) > 10 {
		err := a.backup.Verify(r.Context(), u.ID, code)
		if err == nil {
			a.record(r, audit.Event{Action: audit.ActionBackupCodeUsed, Outcome: audit.Success, Severity: audit.SeverityLow, Actor: audit.Actor{UserID: u.ID}})
			return authn.SessionBackupCode, nil
		}
		a.recordMFAFailure(r, u, err)
		return 0, err
	}
	secret, err := a.openTOTP(u)
	if err != nil {
		a.record(r, audit.Event{Action: audit.ActionSecretDecryptFailed, Outcome: audit.Failure, Severity: audit.SeverityHigh, Actor: audit.Actor{UserID: u.ID}, Target: audit.Target{Type: "totp_secret", ID: u.ID}})
		return 0, err
	}
	if err := a.totp.Verify(r.Context(), u.ID, secret, code); err != nil {
		a.recordMFAFailure(r, u, err)
		return 0, err
	}
	a.record(r, audit.Event{Action: audit.ActionMFAVerified, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}})
	return authn.SessionTOTP, nil
}

func (a *app) recordMFAFailure(r *http.Request, u user, err error) {
	e := audit.Event{Action: audit.ActionMFAFailed, Outcome: audit.Failure, Severity: audit.SeverityLow, Actor: audit.Actor{UserID: u.ID}}
	switch {
	case errors.Is(err, totp.ErrReplayedCode):
		e.Action, e.Severity = audit.ActionMFACodeReplayed, audit.SeverityMedium
	case errors.Is(err, totp.ErrLockedOut):
		e.Action, e.Severity = audit.ActionAccountLocked, audit.SeverityHigh
	}
	a.record(r, e)
}

func mfaMessage(err error) string {
	if errors.Is(err, totp.ErrLockedOut) {
		return "Too many wrong codes. Wait a few minutes, then try again."
	}
	return "That code is not valid. Codes work once; wait for the next one."
}

func (a *app) mfaVerify(w http.ResponseWriter, r *http.Request) {
	s, ok := a.pendingMFA(r)
	if !ok {
		redirect(w, r, "/signin")
		return
	}
	next := localPath(r.PostFormValue("next"))
	u, found, err := a.db.userByID(r.Context(), s.UserID)
	if err != nil || !found {
		a.serverError(w, r, errors.Join(err, errNotFound))
		return
	}
	m, err := a.checkSecondFactor(r, u, r.PostFormValue("code"))
	if err != nil {
		a.render(w, r, http.StatusUnauthorized, "mfa.html", pageData{Title: "Two-factor authentication", Error: mfaMessage(err), Data: signInData{Next: next}})
		return
	}
	if err := a.elevate(w, r, m); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionLoginSucceeded, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}, Metadata: map[string]string{"mfa": methodName(m)}})
	if next == "/" {
		next = "/orgs"
	}
	redirect(w, r, next)
}

func methodName(m authn.SessionMethod) string {
	switch m {
	case authn.SessionTOTP:
		return "totp"
	case authn.SessionBackupCode:
		return "backup_code"
	}
	return "password"
}

func (a *app) reauthPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "reauth.html", pageData{Title: "Confirm it's you", Data: reauthData{Next: localPath(r.URL.Query().Get("next"))}})
}

// reauth is step-up: the password again (and the second factor for users
// who have one) refreshes the session's auth time.
func (a *app) reauth(w http.ResponseWriter, r *http.Request) {
	s, _ := sessionFromContext(r.Context())
	next := localPath(r.PostFormValue("next"))
	u, found, err := a.db.userByID(r.Context(), s.UserID)
	if err != nil || !found {
		a.serverError(w, r, errors.Join(err, errNotFound))
		return
	}
	fail := func() {
		a.record(r, audit.Event{Action: audit.ActionReauthFailed, Outcome: audit.Failure, Severity: audit.SeverityLow})
		a.render(w, r, http.StatusUnauthorized, "reauth.html", pageData{Title: "Confirm it's you", Error: "That did not match. Try again.", Data: reauthData{Next: next}})
	}
	if err := a.hasher.Verify(r.Context(), r.PostFormValue("password"), u.PasswordHash); err != nil {
		fail()
		return
	}
	add := authn.SessionPassword
	if u.TOTPEnabled {
		m, err := a.checkSecondFactor(r, u, r.PostFormValue("code"))
		if err != nil {
			fail()
			return
		}
		add |= m
	}
	if err := a.elevate(w, r, add); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionReauthenticated, Outcome: audit.Success})
	redirect(w, r, next)
}
