package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/bulwark-go/bulwark/tenant"
)

const jiraToken = "ATATT3xFfGF0-very-secret-jira-token-1234"

func TestIntegrationTokenIsSealedMaskedAndBoundToItsOrg(t *testing.T) {
	ta := newTestApp(t)
	admin, _ := ta.newUser(t, "admin@example.com")
	orgID := admin.createOrg("Acme")
	otherOrg := admin.createOrg("Other")
	ctx := context.Background()

	for _, tc := range []struct{ name, url, want string }{
		{"a private address is refused", "https://10.0.0.5/", "private or internal"},
		{"loopback by name is refused", "https://localhost/", "private or internal"},
		{"the cloud metadata address is refused", "https://169.254.169.254/", "private or internal"},
		{"plain http is refused", "http://acme.atlassian.net/", "https://"},
		{"credentials in the URL are refused", "https://user:pw@acme.atlassian.net/", "user name or password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.post("/orgs/"+orgID+"/integrations", url.Values{"kind": {"jira"}, "base_url": {tc.url}, "token": {jiraToken}})
			assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
			assert.Contains(t, r.Body, tc.want)
		})
	}

	r := admin.post("/orgs/"+orgID+"/integrations", url.Values{"kind": {"jira"}, "base_url": {"https://acme.atlassian.net"}, "token": {jiraToken}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	page := admin.get("/orgs/" + orgID + "/integrations")
	assert.NotContains(t, page.Body, jiraToken)
	assert.Contains(t, page.Body, sealbox.Mask(jiraToken))

	s := ta.scope(t, orgID)
	ins, err := ta.db.integrations(ctx, s)
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.NotContains(t, ins[0].TokenSealed, jiraToken)
	opened, err := ta.ring.OpenText(ins[0].TokenSealed, integrationAAD(orgID, "jira"))
	require.NoError(t, err)
	assert.Equal(t, jiraToken, opened.Reveal())
	// Copied into another org's row, or another integration, it does not open.
	_, err = ta.ring.OpenText(ins[0].TokenSealed, integrationAAD(otherOrg, "jira"))
	assert.ErrorIs(t, err, sealbox.ErrDecrypt)
	_, err = ta.ring.OpenText(ins[0].TokenSealed, integrationAAD(orgID, "github"))
	assert.ErrorIs(t, err, sealbox.ErrDecrypt)
	// The other org does not see it.
	other, err := ta.db.integrations(ctx, ta.scope(t, otherOrg))
	require.NoError(t, err)
	assert.Empty(t, other)
}

func TestIntegrationChangesNeedStepUp(t *testing.T) {
	ta := newTestApp(t)
	admin, _ := ta.newUser(t, "admin@example.com")
	orgID := admin.createOrg("Acme")
	ta.clock.Advance(stepUpAge + time.Minute)

	page := admin.get("/orgs/" + orgID + "/integrations")
	assert.Contains(t, page.Body, `id="stepup"`, "the form is replaced by a step-up link")
	save := url.Values{"kind": {"github"}, "base_url": {"https://api.github.com"}, "token": {"ghp_abcdefghijklmnopqrstuvwxyz0123456789"}}
	assert.Equal(t, http.StatusForbidden, admin.post("/orgs/"+orgID+"/integrations", save).Status)

	require.Equal(t, http.StatusSeeOther, admin.post("/reauth", url.Values{"password": {testPassword}, "next": {"/orgs/" + orgID + "/integrations"}}).Status)
	assert.Equal(t, http.StatusOK, admin.post("/orgs/"+orgID+"/integrations", save).Status)
	assert.Equal(t, http.StatusOK, admin.post("/orgs/"+orgID+"/integrations/github/delete", nil).Status)
	assert.Equal(t, http.StatusNotFound, admin.post("/orgs/"+orgID+"/integrations/github/delete", nil).Status)
}

func TestRotateKeysReSealsEveryStoredSecret(t *testing.T) {
	ta := newTestApp(t)
	admin, uid := ta.newUser(t, "admin@example.com")
	orgID := admin.createOrg("Acme")
	require.Equal(t, http.StatusOK, admin.post("/orgs/"+orgID+"/integrations", url.Values{"kind": {"jira"}, "base_url": {"https://acme.atlassian.net"}, "token": {jiraToken}}).Status)
	secret, _ := enrolTOTP(t, ta, admin)
	ctx := context.Background()

	fresh, err := sealbox.GenerateSecret()
	require.NoError(t, err)
	both, err := keyringFrom(append([]string{fresh}, ta.cfg.Secrets.sealTexts...))
	require.NoError(t, err)
	sum, err := rewrapAll(ctx, ta.db, both, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Rewrapped)
	assert.Zero(t, sum.Failed)

	onlyNew, err := keyringFrom([]string{fresh})
	require.NoError(t, err)
	ins, err := ta.db.integrations(ctx, ta.scope(t, orgID))
	require.NoError(t, err)
	tok, err := onlyNew.OpenText(ins[0].TokenSealed, integrationAAD(orgID, "jira"))
	require.NoError(t, err, "the token opens with the new key alone")
	assert.Equal(t, jiraToken, tok.Reveal())
	u, _, err := ta.db.userByID(ctx, uid)
	require.NoError(t, err)
	ts, err := onlyNew.OpenText(u.TOTPSealed, totpAAD(uid))
	require.NoError(t, err)
	assert.Equal(t, secret, ts.Reveal())
	_, err = ta.ring.OpenText(u.TOTPSealed, totpAAD(uid))
	assert.ErrorIs(t, err, sealbox.ErrUnknownKey, "the old keyring no longer knows the key")

	// A second pass finds nothing left to move.
	sum, err = rewrapAll(ctx, ta.db, both, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Equal(t, 0, sum.Rewrapped)
	assert.Equal(t, 2, sum.Current)
}

// scope returns a background scope for tests that read org data directly.
func (ta *testApp) scope(t *testing.T, orgID string) tenant.Scope {
	t.Helper()
	s, err := ta.guard.UnsafeBackgroundScope(orgID, "test", tenant.RoleOwner)
	require.NoError(t, err)
	return s
}
