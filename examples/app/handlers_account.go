package main

import (
	"errors"
	"html/template"
	"net/http"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/sealbox"
)

type sessionView struct {
	authn.Session
	Current bool
}

type accountData struct {
	Sessions        []sessionView
	Activity        []audit.Event
	TOTPEnabled     bool
	BackupRemaining int
	RecentAuth      bool
}

func (a *app) currentUser(r *http.Request) (user, error) {
	uid, _ := a.userID(r)
	u, found, err := a.db.userByID(r.Context(), uid)
	if err == nil && !found {
		err = errNotFound
	}
	return u, err
}

func (a *app) accountPage(w http.ResponseWriter, r *http.Request) {
	a.renderAccount(w, r, http.StatusOK, "", "")
}

func (a *app) renderAccount(w http.ResponseWriter, r *http.Request, status int, msg, problem string) {
	u, err := a.currentUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	cur, _ := sessionFromContext(r.Context())
	d := accountData{TOTPEnabled: u.TOTPEnabled, RecentAuth: a.recentAuth(r)}
	list, err := a.userSessions(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	for _, s := range list {
		d.Sessions = append(d.Sessions, sessionView{s, s.ID == cur.ID})
	}
	// The user's own recent security events (sign-ins, MFA, sessions,
	// resets), read from the tamper-evident log: events outside any org.
	act, err := a.audit.query(r.Context(), auditQuery{UserID: u.ID, Limit: 15})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d.Activity = act.Events
	if u.TOTPEnabled {
		if d.BackupRemaining, err = a.backup.Remaining(r.Context(), u.ID); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	a.render(w, r, status, "account.html", pageData{Title: "Your account", User: &u, Message: msg, Error: problem, Data: d})
}

func (a *app) revokeSession(w http.ResponseWriter, r *http.Request) {
	uid, _ := a.userID(r)
	id, err := authn.ParseSessionID(r.PathValue("id"))
	var ok bool
	if err == nil {
		// RevokeID only ever touches uid's own sessions.
		if ok, err = a.sess.RevokeID(r.Context(), uid, id); err != nil {
			a.serverError(w, r, err)
			return
		}
	}
	if !ok {
		a.errorPage(w, r, http.StatusNotFound, "No such session.")
		return
	}
	a.record(r, audit.Event{Action: audit.ActionSessionRevoked, Outcome: audit.Success, Target: audit.Target{Type: "session", ID: id.String()}})
	redirect(w, r, "/account")
}

func (a *app) revokeOtherSessions(w http.ResponseWriter, r *http.Request) {
	s, _ := sessionFromContext(r.Context())
	if err := a.revokeAll(r, s.UserID, s.ID, "user_request_keep_current"); err != nil {
		a.serverError(w, r, err)
		return
	}
	redirect(w, r, "/account")
}

type enrolData struct {
	QR  template.URL
	Key string
}

// totpEnrol starts an enrolment: a new secret, sealed and stored as
// pending, shown once as a QR code and a manual key.
func (a *app) totpEnrol(w http.ResponseWriter, r *http.Request) {
	u, err := a.currentUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if u.TOTPEnabled {
		a.renderAccount(w, r, http.StatusConflict, "", "Two-factor authentication is already on. Turn it off first to enrol a new device.")
		return
	}
	enr, err := a.totp.Enroll(u.Email)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	sealed, err := a.ring.SealText(sealbox.NewSecret(enr.Secret().Base32()), totpAAD(u.ID))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := a.db.setTOTP(r.Context(), u.ID, sealed, false); err != nil {
		a.serverError(w, r, err)
		return
	}
	qr, err := enr.QRCodeDataURL()
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "totp_enrol.html", pageData{Title: "Set up two-factor authentication", User: &u,
		Data: enrolData{QR: qr, Key: enr.Secret().Base32()}})
}

// totpConfirm activates a pending enrolment once a code from the app
// verifies, then shows the backup codes, once.
func (a *app) totpConfirm(w http.ResponseWriter, r *http.Request) {
	u, err := a.currentUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if u.TOTPEnabled || u.TOTPSealed == "" {
		redirect(w, r, "/account")
		return
	}
	secret, err := a.openTOTP(u)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := a.totp.ConfirmEnrollment(r.Context(), u.ID, secret, r.PostFormValue("code")); err != nil {
		a.recordMFAFailure(r, u, err)
		a.render(w, r, http.StatusUnprocessableEntity, "totp_enrol.html", pageData{Title: "Set up two-factor authentication", User: &u,
			Error: mfaMessage(err) + " Scan the code again if needed.", Data: enrolData{Key: secret.Base32()}})
		return
	}
	if err := a.db.setTOTP(r.Context(), u.ID, u.TOTPSealed, true); err != nil {
		a.serverError(w, r, err)
		return
	}
	codes, err := a.backup.Generate(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := a.elevate(w, r, authn.SessionTOTP); err != nil { // privilege change: new session ID
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionMFAEnrolled, Outcome: audit.Success, Target: audit.Target{Type: "user", ID: u.ID}})
	a.render(w, r, http.StatusOK, "backup_codes.html", pageData{Title: "Your backup codes", User: &u, Data: codes})
}

func (a *app) totpDisable(w http.ResponseWriter, r *http.Request) {
	u, err := a.currentUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := errors.Join(a.db.setTOTP(r.Context(), u.ID, "", false), a.backup.Delete(r.Context(), u.ID)); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionMFADisabled, Outcome: audit.Success, Severity: audit.SeverityMedium, Target: audit.Target{Type: "user", ID: u.ID}})
	a.renderAccount(w, r, http.StatusOK, "Two-factor authentication is off.", "")
}

func (a *app) totpRegenerate(w http.ResponseWriter, r *http.Request) {
	u, err := a.currentUser(r)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !u.TOTPEnabled {
		redirect(w, r, "/account")
		return
	}
	codes, err := a.backup.Generate(r.Context(), u.ID)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionBackupCodesRegenerated, Outcome: audit.Success, Target: audit.Target{Type: "user", ID: u.ID}})
	a.render(w, r, http.StatusOK, "backup_codes.html", pageData{Title: "Your new backup codes", User: &u, Data: codes})
}

// Password reset.

func (a *app) resetRequestPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "reset_request.html", pageData{Title: "Reset your password"})
}

// resetRequest answers the same whether or not the account exists; only
// the outbox differs, and only the mailbox owner sees it.
func (a *app) resetRequest(w http.ResponseWriter, r *http.Request) {
	email := normEmail(r.PostFormValue("email"))
	u, found, err := a.db.userByEmail(r.Context(), email)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if found {
		tok, err := a.resets.Issue(r.Context(), u.ID)
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		// The token travels in the fragment, which browsers never send to
		// servers, so it stays out of access logs and Referer headers.
		link := a.link("/reset/confirm#" + tok.Value.Reveal())
		a.outbox.send(mail{At: a.now(), To: u.Email, Subject: "Reset your Bulwark demo password",
			Body: "Follow the link within 30 minutes to choose a new password. If you did not ask for this, ignore this email.", Link: link})
		a.record(r, audit.Event{Action: audit.ActionPasswordResetRequested, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}, Target: audit.Target{Type: "user", ID: u.ID}})
	} else {
		a.record(r, audit.Event{Action: audit.ActionPasswordResetRequested, Outcome: audit.Failure, Reason: "no such account"})
	}
	a.render(w, r, http.StatusOK, "reset_request.html", pageData{Title: "Reset your password",
		Message: "If an account exists for that address, we have sent it a reset link. It works once, for 30 minutes."})
}

type resetData struct{ Token string }

func (a *app) resetConfirmPage(w http.ResponseWriter, r *http.Request) {
	// Referrer-Policy no-referrer: nothing on this page may leak the URL.
	w.Header().Set("Referrer-Policy", "no-referrer")
	a.render(w, r, http.StatusOK, "reset_confirm.html", pageData{Title: "Choose a new password"})
}

func (a *app) resetConfirm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	token, password := r.PostFormValue("token"), r.PostFormValue("password")
	userID, err := a.resets.Consume(r.Context(), token)
	if err != nil {
		if !errors.Is(err, authn.ErrTokenInvalid) && !errors.Is(err, authn.ErrTokenExpired) {
			a.serverError(w, r, err)
			return
		}
		a.record(r, audit.Event{Action: audit.ActionOneTimeTokenRejected, Outcome: audit.Denied, Severity: audit.SeverityLow, Reason: "password reset: " + err.Error()})
		a.render(w, r, http.StatusBadRequest, "reset_request.html", pageData{Title: "Reset your password",
			Error: "This reset link is invalid, expired or already used. Request a new one."})
		return
	}
	u, found, err := a.db.userByID(r.Context(), userID)
	if err != nil || !found {
		a.serverError(w, r, errors.Join(err, errNotFound))
		return
	}
	if err := a.policy.Check(password, u.Email, u.Name); err != nil {
		// The token is spent; hand the same user a fresh one so they can
		// retry without another email.
		tok, ierr := a.resets.Issue(r.Context(), u.ID)
		if ierr != nil {
			a.serverError(w, r, ierr)
			return
		}
		a.render(w, r, http.StatusUnprocessableEntity, "reset_confirm.html", pageData{Title: "Choose a new password",
			Error: policyMessage(err), Data: resetData{Token: tok.Value.Reveal()}})
		return
	}
	hash, err := a.hasher.Hash(r.Context(), password)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if err := a.db.setPassword(r.Context(), u.ID, hash); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionPasswordResetCompleted, Outcome: audit.Success, Actor: audit.Actor{UserID: u.ID}, Target: audit.Target{Type: "user", ID: u.ID}})
	if err := errors.Join(a.revokeAll(r, u.ID, authn.SessionID{}, "password_reset"), a.resets.Revoke(r.Context(), u.ID)); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "signin.html", pageData{Title: "Sign in", Message: "Your password has been changed and every session signed out. Sign in with the new password.", Data: signInData{Email: u.Email, Next: "/"}})
}
