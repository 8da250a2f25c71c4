package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
)

// Sessions come from authn.Sessions: 256-bit random tokens stored only as
// SHA-256 IDs, a __Host- cookie (HttpOnly, Secure, SameSite=Lax), idle and
// absolute timeouts, a new ID on every login and privilege change, and
// revocation of one or all sessions.
//
// A password-only login of a user with TOTP gets a session marked
// mfaPending in its data: it may only finish the second step. The app's
// requireAuth and userID treat it as anonymous; completing the second
// factor rotates it into a full session.

const dataMFA = "mfa"

// appSession is the request's session as the app sees it.
type appSession struct {
	authn.Session
	MFAPending bool
}

func sessionFromContext(ctx context.Context) (appSession, bool) {
	p, ok := authn.PrincipalFromContext(ctx)
	if !ok {
		return appSession{}, false
	}
	return appSession{Session: p.Session, MFAPending: p.Data[dataMFA] == "pending"}, true
}

func (a *app) newSessions(store authn.SessionStore) (*authn.Sessions, error) {
	return authn.NewSessions(authn.SessionConfig{
		Store:          store,
		IdleTimeout:    30 * time.Minute,
		InsecureCookie: a.cfg.InsecureCookie,
		Now:            a.now,
		OnInvalid: func(r *http.Request, reason authn.SessionReason, err error) {
			if reason == authn.SessionReasonStore {
				a.log.Error("session store failed", "err", err)
			}
		},
		UnauthenticatedHandler: http.HandlerFunc(a.redirectToSignIn),
		StepUpHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next := "/account"
			if d, ok := authn.RequireDenialFromContext(r.Context()); ok && d.ReturnTo != "" && r.Method == http.MethodGet {
				next = localPath(d.ReturnTo)
			}
			a.render(w, r, http.StatusForbidden, "reauth.html", pageData{Title: "Confirm it's you",
				Error: "This change needs a recent sign-in. Enter your password to continue, then repeat it.",
				Data:  reauthData{Next: next}})
		}),
		StoreErrorHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a.errorPage(w, r, http.StatusServiceUnavailable, "Temporarily unavailable. Try again shortly.")
		}),
	})
}

// startSession creates a session after a password login; pending marks one
// that still owes the second factor.
func (a *app) startSession(w http.ResponseWriter, r *http.Request, userID string, pending bool) error {
	login := authn.SessionLogin{UserID: userID, Methods: authn.SessionPassword}
	if pending {
		login.Data = map[string]string{dataMFA: "pending"}
	}
	_, err := a.sess.Create(w, r, login)
	return err
}

// elevate rotates the session after a second factor or a step-up: new ID,
// fresh auth time, pending mark cleared.
func (a *app) elevate(w http.ResponseWriter, r *http.Request, add authn.SessionMethod) error {
	_, err := a.sess.Rotate(w, r, authn.SessionChange{AddMethods: add, Data: map[string]string{}})
	return err
}

// userSessions lists the user's live sessions, newest first.
func (a *app) userSessions(ctx context.Context, userID string) ([]authn.Session, error) {
	list, err := a.sess.List(ctx, userID)
	slices.Reverse(list)
	return list, err
}

// revokeAll ends every session of userID except keep (zero for all), and
// audits it.
func (a *app) revokeAll(r *http.Request, userID string, keep authn.SessionID, cause string) error {
	n, err := a.sess.RevokeAllForUser(r.Context(), userID, keep)
	if err != nil {
		return err
	}
	a.record(r, audit.Event{Action: audit.ActionAllSessionsRevoked, Outcome: audit.Success, Actor: audit.Actor{UserID: userID},
		Metadata: map[string]string{"count": strconv.Itoa(n), "cause": cause}})
	return nil
}

// randomID returns a 128-bit random identifier for database rows.
func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
