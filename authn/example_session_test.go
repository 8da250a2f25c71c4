package authn_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/bulwark-go/bulwark/authn"
)

// Example_sessions shows login, step-up re-authentication before a
// sensitive page, and logout with http.ServeMux.
func Example_sessions() {
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) // a fixed clock keeps the output stable
	sessions := authn.MustNewSessions(authn.SessionConfig{
		Now: func() time.Time { return clock },
		// Anonymous visitors go to the login page, and come back afterwards.
		UnauthenticatedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, _ := authn.RequireDenialFromContext(r.Context())
			http.Redirect(w, r, "/login?return="+url.QueryEscape(d.ReturnTo), http.StatusSeeOther)
		}),
		// A stale login must re-enter the password before billing.
		StepUpHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, _ := authn.RequireDenialFromContext(r.Context())
			http.Redirect(w, r, "/reauth?return="+url.QueryEscape(d.ReturnTo), http.StatusSeeOther)
		}),
	})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// Check the password here (authn part 1); on success:
		if _, err := sessions.Create(w, r, authn.SessionLogin{UserID: "alice", Methods: authn.SessionPassword}); err != nil {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, authn.SessionReturnPath(r.FormValue("return")), http.StatusSeeOther)
	})
	mux.Handle("POST /reauth", sessions.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Check the password (or a TOTP code) again; on success rotate the
		// session, which records the new authentication time.
		if _, err := sessions.Rotate(w, r, authn.SessionChange{AddMethods: authn.SessionPassword}); err != nil {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, authn.SessionReturnPath(r.FormValue("return")), http.StatusSeeOther)
	})))
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		_ = sessions.Revoke(w, r)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.Handle("GET /billing", sessions.RequireRecentAuth(10*time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := authn.PrincipalFromContext(r.Context())
		fmt.Fprintf(w, "billing for %s", p.UserID)
	})))
	app := sessions.Middleware(mux)

	// A tiny browser that keeps the session cookie.
	var cookie string
	visit := func(method, target string) {
		r := httptest.NewRequest(method, "https://app.example"+target, nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		for _, c := range w.Result().Cookies() {
			cookie = c.Name + "=" + c.Value
			if c.MaxAge < 0 {
				cookie = ""
			}
		}
		if w.Code == http.StatusOK {
			fmt.Printf("%-4s %-22s -> %d %s\n", method, target, w.Code, w.Body.String())
		} else {
			fmt.Printf("%-4s %-22s -> %d %s\n", method, target, w.Code, w.Header().Get("Location"))
		}
	}

	visit("GET", "/billing")
	visit("POST", "/login?return=/billing")
	visit("GET", "/billing")
	clock = clock.Add(30 * time.Minute)
	visit("GET", "/billing")
	visit("POST", "/reauth?return=/billing")
	visit("GET", "/billing")
	visit("POST", "/logout")
	visit("GET", "/billing")
	// Output:
	// GET  /billing               -> 303 /login?return=%2Fbilling
	// POST /login?return=/billing -> 303 /billing
	// GET  /billing               -> 200 billing for alice
	// GET  /billing               -> 303 /reauth?return=%2Fbilling
	// POST /reauth?return=/billing -> 303 /billing
	// GET  /billing               -> 200 billing for alice
	// POST /logout                -> 303 /
	// GET  /billing               -> 303 /login?return=%2Fbilling
}

// ExampleRefreshTokens shows an API client's login, refresh and the reuse
// detection that revokes a stolen refresh token's family.
func ExampleRefreshTokens() {
	sessions := authn.MustNewSessions(authn.SessionConfig{AllowBearer: true})
	tokens, err := authn.NewRefreshTokens(authn.RefreshConfig{Sessions: sessions})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// After checking the credentials of an API login:
	first, _ := tokens.Issue(ctx, nil, authn.SessionLogin{UserID: "alice", Methods: authn.SessionPassword})
	_, err = sessions.Validate(ctx, first.AccessToken.Reveal())
	fmt.Println("access token valid:", err == nil)

	// The client refreshes: both tokens are replaced.
	second, err := tokens.Refresh(ctx, nil, first.RefreshToken.Reveal())
	fmt.Println("refresh:", err == nil)

	// Someone replays the first refresh token: the whole family dies.
	_, err = tokens.Refresh(ctx, nil, first.RefreshToken.Reveal())
	fmt.Println("replay refused:", err != nil)
	_, err = sessions.Validate(ctx, second.AccessToken.Reveal())
	fmt.Println("current access token revoked:", err != nil)
	// Output:
	// access token valid: true
	// refresh: true
	// replay refused: true
	// current access token revoked: true
}
