package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/ratelimit"
)

// limits are the per-route rate limiters. Each lists the broad per-IP rule
// first and the per-account rule after it, so an attacker spraying one
// account spends their own IP budget too. Email addresses become keys only
// as HMACs (ratelimit.FormKey), so the store never holds personal data.
type limits struct {
	signIn, signUp, reset, resetConfirm, mfa, reauth, accept *ratelimit.Limiter
}

func (a *app) newLimits(store ratelimit.Store, secret []byte) (limits, error) {
	if store == nil {
		store = ratelimit.NewMemoryStore(ratelimit.MemoryConfig{MaxKeys: 1 << 20, Now: a.now})
	}
	ip, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	if err != nil {
		return limits{}, err
	}
	email, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: secret})
	if err != nil {
		return limits{}, err
	}
	user := ratelimit.UserKey(func(r *http.Request) (string, bool) {
		// Also the half-signed-in user who still owes a second factor.
		s, ok := sessionFromContext(r.Context())
		return s.UserID, ok
	})
	mk := func(rules ...ratelimit.Rule) (*ratelimit.Limiter, error) {
		return ratelimit.New(ratelimit.Config{
			Rules: rules, Store: store,
			OnLimited: func(r *http.Request, d ratelimit.Decision) {
				a.record(r, audit.Event{Action: audit.ActionRateLimited, Outcome: audit.Denied, Severity: audit.SeverityMedium,
					Reason: "rule " + d.Rule, Metadata: map[string]string{"path": auditPath(r)}})
			},
			OnError: func(r *http.Request, err error) {
				a.log.Error("rate limit store failed; failing closed", "err", err)
			},
			LimitedHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				d, _ := ratelimit.FromContext(r.Context())
				a.errorPage(w, r, http.StatusTooManyRequests,
					"Too many attempts. Try again in "+strconv.Itoa(int(d.RetryAfter.Round(time.Second).Seconds())+1)+" seconds.")
			}),
			UnavailableHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				a.errorPage(w, r, http.StatusServiceUnavailable, "Temporarily unavailable. Try again shortly.")
			}),
		})
	}
	var l limits
	steps := []struct {
		dst   **ratelimit.Limiter
		rules []ratelimit.Rule
	}{
		{&l.signIn, []ratelimit.Rule{
			{Name: "signin-ip", Limit: ratelimit.Per(30, 15*time.Minute), Key: ip},
			{Name: "signin-account", Limit: ratelimit.Per(10, 15*time.Minute), Key: email},
		}},
		{&l.signUp, []ratelimit.Rule{{Name: "signup-ip", Limit: ratelimit.Per(20, time.Hour), Key: ip}}},
		{&l.reset, []ratelimit.Rule{
			{Name: "reset-ip", Limit: ratelimit.Per(20, time.Hour), Key: ip},
			{Name: "reset-email", Limit: ratelimit.Per(3, time.Hour), Key: email},
		}},
		{&l.resetConfirm, []ratelimit.Rule{{Name: "reset-confirm-ip", Limit: ratelimit.Per(20, time.Hour), Key: ip}}},
		{&l.mfa, []ratelimit.Rule{
			{Name: "mfa-ip", Limit: ratelimit.Per(30, 15*time.Minute), Key: ip},
			{Name: "mfa-user", Limit: ratelimit.Per(10, 15*time.Minute), Key: user},
		}},
		{&l.reauth, []ratelimit.Rule{
			{Name: "reauth-ip", Limit: ratelimit.Per(30, 15*time.Minute), Key: ip},
			{Name: "reauth-user", Limit: ratelimit.Per(10, 15*time.Minute), Key: user},
		}},
		{&l.accept, []ratelimit.Rule{{Name: "invite-accept-ip", Limit: ratelimit.Per(30, time.Hour), Key: ip}}},
	}
	for _, s := range steps {
		if *s.dst, err = mk(s.rules...); err != nil {
			return limits{}, err
		}
	}
	return l, nil
}
