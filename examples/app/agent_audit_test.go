package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/tenant"
)

var approvalLink = regexp.MustCompile(`id="approval-link" href="[^"]*(/orgs/[A-Za-z0-9_-]+/approve/[A-Za-z0-9_.-]+)"`)

// propose asks the assistant for an action as c and returns the approval
// path.
func propose(t *testing.T, c *client, orgID string) string {
	t.Helper()
	r := c.post("/orgs/"+orgID+"/assistant", url.Values{"project": {"WEB"}})
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	m := approvalLink.FindStringSubmatch(r.Body)
	require.NotNil(t, m, "approval link shown")
	return m[1]
}

func TestAgentActionWaitsForASingleUseApproval(t *testing.T) {
	ta := newTestApp(t)
	owner, _ := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")
	member, memberID := ta.newUser(t, "member@example.com")
	ta.addMember(t, orgID, memberID, tenant.RoleMember)

	link := propose(t, member, orgID)
	assert.Contains(t, ta.outbox.list()[0].Subject, "Approval needed", "admins and owners are mailed")
	assert.Equal(t, http.StatusForbidden, member.get(link).Status, "a member cannot approve, even with the link")

	page := owner.get(link)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "Close 40 stale issues in project WEB")
	assert.Contains(t, owner.get("/orgs/"+orgID+"/assistant").Body, `<td class="status">pending</td>`, "GET did not act")

	require.Equal(t, http.StatusSeeOther, owner.post(link, url.Values{"decision": {"approve"}}).Status)
	assert.Contains(t, owner.get("/orgs/"+orgID+"/assistant").Body, `<td class="status">approved</td>`)
	assert.Equal(t, http.StatusConflict, owner.post(link, url.Values{"decision": {"reject"}}).Status, "single use")

	// An expired link is refused and audited.
	late := propose(t, member, orgID)
	ta.clock.Advance(approvalTTL + time.Second)
	assert.Equal(t, http.StatusGone, owner.get(late).Status)
	assert.Equal(t, http.StatusGone, owner.post(late, url.Values{"decision": {"approve"}}).Status)

	// A link for one org does not work under another org's path.
	other := owner.createOrg("Other")
	fresh := propose(t, owner, orgID)
	assert.Equal(t, http.StatusNotFound, owner.get(strings.Replace(fresh, orgID, other, 1)).Status)
	// A forged token is refused.
	assert.Equal(t, http.StatusNotFound, owner.get(fresh[:len(fresh)-3]+"AAA").Status)

	res, err := ta.audit.query(t.Context(), auditQuery{OrgID: orgID})
	require.NoError(t, err)
	require.True(t, res.Verified, res.Problem)
	actions := map[string]int{}
	for _, e := range res.Events {
		actions[e.Action]++
	}
	assert.Equal(t, 1, actions[audit.ActionAgentActionApproved])
	assert.Equal(t, 1, actions[audit.ActionAgentActionExecuted])
	assert.Equal(t, 1, actions[audit.ActionApprovalLinkUsed])
	assert.GreaterOrEqual(t, actions[audit.ActionApprovalLinkRejected], 3, "reused and expired links")

	// The member's and a signed-out visitor's refused visits are audited
	// without the link's token.
	anonymous := ta.client(t)
	assert.Equal(t, http.StatusSeeOther, anonymous.get(fresh).Status)
	var denials auditResult
	for _, org := range []string{orgID, ""} { // the signed-out visit is filed under no org
		res, err := ta.audit.query(t.Context(), auditQuery{OrgID: org, Action: audit.ActionAccessDenied})
		require.NoError(t, err)
		denials.Events, denials.Lines = append(denials.Events, res.Events...), append(denials.Lines, res.Lines...)
	}
	require.Len(t, denials.Events, 2)
	for _, e := range denials.Events {
		assert.Equal(t, "/orgs/"+orgID+"/approve/"+audit.Redacted, e.Metadata["path"])
	}
	for _, tok := range []string{link, fresh} {
		tok = tok[strings.LastIndexByte(tok, '/')+1:]
		for _, l := range denials.Lines {
			assert.NotContains(t, string(l), tok)
		}
	}
}

func TestAuditPageFiltersExportsAndDetectsTampering(t *testing.T) {
	ta := newTestApp(t)
	owner, ownerID := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")
	viewer, viewerID := ta.newUser(t, "viewer@example.com")
	ta.addMember(t, orgID, viewerID, tenant.RoleViewer)
	require.Equal(t, http.StatusSeeOther, owner.post("/orgs/"+orgID+"/members/"+viewerID+"/role", url.Values{"role": {"member"}}).Status)
	require.Equal(t, http.StatusUnprocessableEntity, owner.post("/orgs/"+orgID+"/members/"+ownerID+"/role", url.Values{"role": {"viewer"}}).Status)

	page := owner.get("/orgs/" + orgID + "/audit")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, "Chain verified")
	for _, want := range []string{audit.ActionOrgCreated, audit.ActionMemberRoleChanged} {
		assert.Contains(t, page.Body, `<td class="action">`+want+`</td>`)
	}
	assert.NotContains(t, page.Body, audit.ActionSignup, "account events are not the org's")

	denied := owner.get("/orgs/" + orgID + "/audit?outcome=denied")
	assert.Contains(t, denied.Body, `<td class="action">member.role_changed</td>`)
	assert.NotContains(t, denied.Body, `<td class="action">org.created</td>`)
	assert.Equal(t, http.StatusForbidden, viewer.get("/orgs/"+orgID+"/audit").Status)

	exp := owner.get("/orgs/" + orgID + "/audit/export")
	require.Equal(t, http.StatusOK, exp.Status)
	assert.Contains(t, exp.Header.Get("Content-Disposition"), "attachment")
	lines := strings.Split(strings.TrimSpace(exp.Body), "\n")
	require.GreaterOrEqual(t, len(lines), 3)
	for _, l := range lines {
		var e audit.Event
		require.NoError(t, json.Unmarshal([]byte(l), &e), l)
		assert.Equal(t, orgID, e.OrgID)
	}

	// Edit one stored record: the page must say the chain is broken.
	require.NoError(t, ta.audit.async.Flush(t.Context()))
	raw, err := os.ReadFile(ta.audit.chainPath)
	require.NoError(t, err)
	edited := bytes.Replace(raw, []byte(`"role":"member"`), []byte(`"role":"owner"`), 1)
	require.NotEqual(t, raw, edited)
	require.NoError(t, os.WriteFile(ta.audit.chainPath, edited, 0o600))
	assert.Contains(t, owner.get("/orgs/"+orgID+"/audit").Body, "Chain does NOT verify")
}

func TestNonMemberProbesAreAuditedOutsideTheProbedOrg(t *testing.T) {
	ta := newTestApp(t)
	owner, _ := ta.newUser(t, "owner@example.com")
	orgID := owner.createOrg("Acme")
	prober, proberID := ta.newUser(t, "prober@example.com")
	assert.Equal(t, http.StatusNotFound, prober.get("/orgs/"+orgID+"/audit").Status)

	res, err := ta.audit.query(t.Context(), auditQuery{OrgID: "", Action: audit.ActionAccessDenied, UserID: proberID})
	require.NoError(t, err)
	require.Len(t, res.Events, 1)
	assert.Equal(t, orgID, res.Events[0].Metadata["probed_org"])
	inOrg, err := ta.audit.query(t.Context(), auditQuery{OrgID: orgID, Action: audit.ActionAccessDenied})
	require.NoError(t, err)
	assert.Empty(t, inOrg.Events, "the probed org's admins do not see who probed")
}

func TestCrossSitePostsAreRefusedAndAudited(t *testing.T) {
	ta := newTestApp(t)
	c, _ := ta.newUser(t, "alice@example.com")
	orgID := c.createOrg("Acme")
	req, err := http.NewRequest(http.MethodPost, ta.srv.URL+"/orgs/"+orgID+"/leave", nil)
	require.NoError(t, err)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, c.do(req).Status)
	assert.Equal(t, http.StatusOK, c.get("/orgs/"+orgID).Status, "still a member")
	res, err := ta.audit.query(t.Context(), auditQuery{Action: audit.ActionCSRFRejected})
	require.NoError(t, err)
	assert.Len(t, res.Events, 1)
}

func TestRestartResumesTheChainAndSetsAsideATamperedOne(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	open := func() *auditLog {
		l, err := openAuditLog(dir, key, slog.New(slog.DiscardHandler))
		require.NoError(t, err)
		return l
	}
	write := func(l *auditLog, n int) {
		for range n {
			require.NoError(t, l.log.Log(t.Context(), audit.Event{Action: audit.ActionOrgCreated, OrgID: "o1"}))
		}
	}

	l := open()
	write(l, 3)
	require.NoError(t, l.Close(t.Context()))
	l = open()
	write(l, 2)
	res, err := l.query(t.Context(), auditQuery{OrgID: "o1"})
	require.NoError(t, err)
	assert.True(t, res.Verified, res.Problem)
	assert.Equal(t, uint64(5), res.Records, "the chain continues across the restart")
	require.NoError(t, l.Close(t.Context()))

	// Cut the last record off: the checkpoint file still names it.
	raw, err := os.ReadFile(filepath.Join(dir, "audit.chain.jsonl"))
	require.NoError(t, err)
	lines := bytes.SplitAfter(raw, []byte("\n"))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "audit.chain.jsonl"), bytes.Join(lines[:4], nil), 0o600))

	l = open()
	defer l.Close(t.Context())
	_, err = os.Stat(filepath.Join(dir, "audit.chain.jsonl.broken"))
	assert.NoError(t, err, "the truncated chain is kept aside, not deleted")
	write(l, 1)
	res, err = l.query(t.Context(), auditQuery{OrgID: "o1"})
	require.NoError(t, err)
	assert.True(t, res.Verified, "the new chain verifies")
	assert.Equal(t, uint64(1), res.Records)
	assert.Contains(t, res.Problem, "moved aside", "the page still says what happened")
}

// Every state-changing route refuses a cross-site POST before any handler
// runs, signed in or not.
func TestEveryPostRouteRefusesCrossSiteRequests(t *testing.T) {
	ta := newTestApp(t)
	c, uid := ta.newUser(t, "alice@example.com")
	orgID := c.createOrg("Acme")
	paths := []string{"/signin", "/signup", "/signout", "/signin/mfa", "/reset", "/reset/confirm", "/reauth",
		"/account/sessions/x/revoke", "/account/sessions/revoke-others", "/account/totp/enrol", "/account/totp/confirm",
		"/account/totp/disable", "/account/totp/backup-codes", "/orgs", "/invites/accept"}
	for _, rt := range orgRoutes {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		if method == http.MethodPost {
			paths = append(paths, strings.NewReplacer("{org}", orgID, "{user}", uid, "{kind}", "jira", "{token}", "x").Replace(pattern))
		}
	}
	for _, p := range paths {
		for _, site := range []string{"cross-site", "same-site"} {
			req, err := http.NewRequest(http.MethodPost, ta.srv.URL+p, strings.NewReader("role=viewer&name=x"))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", site)
			assert.Equal(t, http.StatusForbidden, c.do(req).Status, "%s from %s", p, site)
		}
	}
	assert.Equal(t, http.StatusOK, c.get("/orgs/"+orgID).Status, "nothing changed")
}

func TestServerErrorsLogNoApprovalToken(t *testing.T) {
	var logged bytes.Buffer
	ta := newTestApp(t, func(c *appConfig) { c.Log = slog.New(slog.NewTextHandler(&logged, nil)) })
	r := httptest.NewRequest(http.MethodPost, "/orgs/o/approve/the-secret-token", nil)
	r.SetPathValue("token", "the-secret-token")
	w := httptest.NewRecorder()
	ta.serverError(w, r, errors.New("database down"))
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Contains(t, logged.String(), "database down")
	assert.Contains(t, logged.String(), "/orgs/o/approve/"+audit.Redacted)
	assert.NotContains(t, logged.String(), "the-secret-token")
}
