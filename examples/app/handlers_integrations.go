package main

import (
	"errors"
	"net/http"
	"strings"
	"unicode"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/egress"
	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/bulwark-go/bulwark/tenant"
)

// integrationKinds are the trackers an org can connect, with the base URL
// suggested in the form.
var integrationKinds = []struct{ Kind, Label, Placeholder string }{
	{"jira", "Jira", "https://your-team.atlassian.net"},
	{"azure-devops", "Azure DevOps", "https://dev.azure.com/your-org"},
	{"github", "GitHub", "https://api.github.com"},
}

func validKind(k string) bool {
	for _, ik := range integrationKinds {
		if ik.Kind == k {
			return true
		}
	}
	return false
}

// integrationAAD binds a sealed token to its organisation and integration:
// copied into another org's row (or another integration's), it no longer
// opens.
func integrationAAD(orgID, kind string) []byte {
	return sealbox.AAD("org", orgID, "integration", kind, "field", "token")
}

type integrationsData struct {
	OrgID      string
	Items      []integration
	Kinds      any
	RecentAuth bool
}

func (a *app) integrationsPage(w http.ResponseWriter, r *http.Request) {
	a.renderIntegrations(w, r, http.StatusOK, "", "")
}

func (a *app) renderIntegrations(w http.ResponseWriter, r *http.Request, status int, msg, problem string) {
	s := tenant.MustFromContext(r.Context())
	items, err := a.db.integrations(r.Context(), s)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, status, "integrations.html", pageData{Title: "Integrations", Message: msg, Error: problem,
		Data: integrationsData{OrgID: s.OrgID(), Items: items, Kinds: integrationKinds, RecentAuth: a.recentAuth(r)}})
}

func urlMessage(err error) string {
	var denied *egress.DeniedError
	switch {
	case errors.As(err, &denied), errors.Is(err, egress.ErrDeniedAddress):
		return "That address is private or internal; integrations may only reach public hosts."
	case errors.Is(err, egress.ErrScheme):
		return "Use an https:// URL."
	case errors.Is(err, egress.ErrCredentials):
		return "Do not put a user name or password in the URL; use the token field."
	case errors.Is(err, egress.ErrPort):
		return "Use the standard HTTPS port."
	}
	return "Enter a valid https:// URL."
}

// integrationSave stores a token: admins and owners only (tenant guard),
// after a recent password entry (step-up), base URL checked against the
// SSRF policy, token sealed with AAD bound to org and integration. The
// plaintext is never stored, logged or shown again; only its mask is.
func (a *app) integrationSave(w http.ResponseWriter, r *http.Request) {
	if !a.recentAuth(r) {
		a.renderIntegrations(w, r, http.StatusForbidden, "", "Confirm your password first (below), then save again.")
		return
	}
	s := tenant.MustFromContext(r.Context())
	kind := r.PostFormValue("kind")
	if !validKind(kind) {
		a.renderIntegrations(w, r, http.StatusUnprocessableEntity, "", "Choose Jira, Azure DevOps or GitHub.")
		return
	}
	u, err := a.egress.ValidateURL(strings.TrimSpace(r.PostFormValue("base_url")))
	if err != nil {
		a.record(r, audit.Event{Action: audit.ActionEgressBlocked, Outcome: audit.Denied, Severity: audit.SeverityMedium, OrgID: s.OrgID(),
			Target: audit.Target{Type: "integration", ID: kind}, Reason: err.Error()})
		a.renderIntegrations(w, r, http.StatusUnprocessableEntity, "", urlMessage(err))
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if len(token) < 8 || len(token) > 2048 || strings.ContainsFunc(token, func(c rune) bool { return !unicode.IsPrint(c) || c == ' ' }) {
		a.renderIntegrations(w, r, http.StatusUnprocessableEntity, "", "Paste the API token (8 to 2048 characters, no spaces).")
		return
	}
	secret := sealbox.NewSecret(token)
	sealed, err := a.ring.SealText(secret, integrationAAD(s.OrgID(), kind))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	in := integration{Kind: kind, BaseURL: u.String(), TokenSealed: sealed, TokenMasked: secret.Mask(), UpdatedAt: a.now()}
	if err := a.db.saveIntegration(r.Context(), s, in); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionIntegrationConnected, Outcome: audit.Success, OrgID: s.OrgID(),
		Target: audit.Target{Type: "integration", ID: kind}, Metadata: map[string]string{"base_url": audit.RedactURL(u.String()), "token_masked": in.TokenMasked}})
	a.renderIntegrations(w, r, http.StatusOK, "Saved. The token is stored encrypted and will only ever be shown masked.", "")
}

func (a *app) integrationDelete(w http.ResponseWriter, r *http.Request) {
	if !a.recentAuth(r) {
		a.renderIntegrations(w, r, http.StatusForbidden, "", "Confirm your password first (below), then try again.")
		return
	}
	s := tenant.MustFromContext(r.Context())
	kind := r.PathValue("kind")
	ok, err := a.db.deleteIntegration(r.Context(), s, kind)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !ok {
		a.renderIntegrations(w, r, http.StatusNotFound, "", "No such integration.")
		return
	}
	a.record(r, audit.Event{Action: audit.ActionIntegrationDisconnected, Outcome: audit.Success, OrgID: s.OrgID(), Target: audit.Target{Type: "integration", ID: kind}})
	a.renderIntegrations(w, r, http.StatusOK, "Disconnected.", "")
}
