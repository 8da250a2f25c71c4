package main

import (
	"net/http"
	"strconv"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/tenant"
)

type auditData struct {
	OrgID  string
	Query  auditQuery
	Result auditResult
	Export string
}

func queryFrom(r *http.Request, orgID string, limit int) auditQuery {
	q := r.URL.Query()
	return auditQuery{OrgID: orgID, Action: q.Get("action"), Outcome: q.Get("outcome"), UserID: q.Get("user"), Limit: limit}
}

// auditPage shows the org's events, newest first, and whether the whole
// tamper-evident chain verifies (audit.VerifyConfig with the latest
// checkpoint, so a truncated tail is noticed too).
func (a *app) auditPage(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	q := queryFrom(r, s.OrgID(), 200)
	res, err := a.audit.query(r.Context(), q)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !res.Verified {
		a.record(r, audit.Event{Action: audit.ActionAuditVerifyFailed, Outcome: audit.Failure, Severity: audit.SeverityCritical, OrgID: s.OrgID(), Reason: res.Problem})
	}
	export := "/orgs/" + s.OrgID() + "/audit/export?" + r.URL.RawQuery
	a.render(w, r, http.StatusOK, "audit.html", pageData{Title: "Audit log", Data: auditData{OrgID: s.OrgID(), Query: q, Result: res, Export: export}})
}

// auditExport downloads the org's matching events as JSON lines, exactly
// as they are stored in the chain.
func (a *app) auditExport(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	res, err := a.audit.query(r.Context(), queryFrom(r, s.OrgID(), 0))
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionDataExported, Outcome: audit.Success, OrgID: s.OrgID(),
		Target: audit.Target{Type: "audit_log", ID: s.OrgID()}, Metadata: map[string]string{"events": strconv.Itoa(len(res.Lines)), "chain_verified": strconv.FormatBool(res.Verified)}})
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+s.OrgID()+`.jsonl"`)
	// Oldest first in the file, like the log itself.
	for i := len(res.Lines) - 1; i >= 0; i-- {
		w.Write(res.Lines[i])
		w.Write([]byte("\n"))
	}
}
