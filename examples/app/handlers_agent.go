package main

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/tenant"
)

// The assistant is simulated: it proposes one risky action on request. The
// point is the approval: the action waits until an admin or owner follows a
// signed, expiring, single-use link and confirms it with a POST.

const approvalPurpose = "agent-action"

const approvalTTL = 15 * time.Minute

type assistantData struct {
	OrgID      string
	Actions    []agentAction
	CanPropose bool
	Link       string
}

func (a *app) assistantPage(w http.ResponseWriter, r *http.Request) {
	a.renderAssistant(w, r, http.StatusOK, "", "", "")
}

func (a *app) renderAssistant(w http.ResponseWriter, r *http.Request, status int, msg, problem, link string) {
	s := tenant.MustFromContext(r.Context())
	actions, err := a.db.actions(r.Context(), s)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, status, "assistant.html", pageData{Title: "Assistant", Message: msg, Error: problem,
		Data: assistantData{OrgID: s.OrgID(), Actions: actions, CanPropose: s.Can(tenant.PermWrite), Link: link}})
}

func (a *app) assistantPropose(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	project := strings.TrimSpace(r.PostFormValue("project"))
	if project == "" || len(project) > 60 {
		a.renderAssistant(w, r, http.StatusUnprocessableEntity, "", "Name the project (at most 60 characters).", "")
		return
	}
	act := agentAction{ID: randomID(), Summary: "Close 40 stale issues in project " + project, CreatedAt: a.now()}
	if err := a.db.createAction(r.Context(), s, act); err != nil {
		a.serverError(w, r, err)
		return
	}
	token, err := a.approvals.Sign(authn.ApprovalRequest{Purpose: approvalPurpose, Subject: s.OrgID() + "/" + act.ID, TTL: approvalTTL, SingleUse: true})
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	link := a.link("/orgs/" + s.OrgID() + "/approve/" + token)
	members, err := a.db.members(r.Context(), s)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	for _, m := range members {
		if m.Role.AtLeast(tenant.RoleAdmin) {
			a.outbox.send(mail{At: a.now(), To: m.Email, Subject: "Approval needed: " + act.Summary,
				Body: "The assistant is waiting for your approval. The link expires in 15 minutes and works once.", Link: link})
		}
	}
	a.renderAssistant(w, r, http.StatusOK, "The assistant is waiting for approval by an admin or owner. The link was sent to them.", "", link)
}

type approveData struct {
	OrgID  string
	Token  string
	Action agentAction
}

// approvalAction checks a link token and finds its pending action in the
// scope's organisation. A token for another org is treated as invalid.
func (a *app) approvalAction(r *http.Request, check func(string) (authn.Approval, error)) (agentAction, error) {
	s := tenant.MustFromContext(r.Context())
	ap, err := check(r.PathValue("token"))
	if err != nil {
		return agentAction{}, err
	}
	orgID, actionID, ok := strings.Cut(ap.Subject, "/")
	if !ok || orgID != s.OrgID() {
		return agentAction{}, authn.ErrApprovalInvalid
	}
	act, err := a.db.action(r.Context(), s, actionID)
	if err != nil {
		return agentAction{}, err
	}
	if act.Status != "pending" {
		return agentAction{}, authn.ErrApprovalUsed
	}
	return act, nil
}

func (a *app) approvalFailed(w http.ResponseWriter, r *http.Request, err error) {
	if !errors.Is(err, authn.ErrApprovalInvalid) && !errors.Is(err, authn.ErrApprovalExpired) && !errors.Is(err, authn.ErrApprovalUsed) && !errors.Is(err, errNotFound) {
		a.serverError(w, r, err)
		return
	}
	s := tenant.MustFromContext(r.Context())
	a.record(r, audit.Event{Action: audit.ActionApprovalLinkRejected, Outcome: audit.Denied, Severity: audit.SeverityMedium, OrgID: s.OrgID(), Reason: err.Error()})
	msg := "This approval link is not valid."
	status := http.StatusNotFound
	switch {
	case errors.Is(err, authn.ErrApprovalExpired):
		msg, status = "This approval link has expired. Ask the assistant to propose the action again.", http.StatusGone
	case errors.Is(err, authn.ErrApprovalUsed):
		msg, status = "This action has already been decided.", http.StatusConflict
	}
	a.errorPage(w, r, status, msg)
}

// approvePage shows the action (GET never acts: mail scanners follow links).
func (a *app) approvePage(w http.ResponseWriter, r *http.Request) {
	act, err := a.approvalAction(r, func(t string) (authn.Approval, error) { return a.approvals.Verify(approvalPurpose, t) })
	if err != nil {
		a.approvalFailed(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s := tenant.MustFromContext(r.Context())
	a.render(w, r, http.StatusOK, "approve.html", pageData{Title: "Approve an assistant action", Data: approveData{OrgID: s.OrgID(), Token: r.PathValue("token"), Action: act}})
}

// approveDecide redeems the single-use link and records the decision.
func (a *app) approveDecide(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	decision := r.PostFormValue("decision")
	if decision != "approve" && decision != "reject" {
		a.errorPage(w, r, http.StatusBadRequest, "Choose approve or reject.")
		return
	}
	// Check the action first (without consuming), then redeem.
	act, err := a.approvalAction(r, func(t string) (authn.Approval, error) { return a.approvals.Verify(approvalPurpose, t) })
	if err == nil {
		_, err = a.approvals.Redeem(r.Context(), approvalPurpose, r.PathValue("token"))
	}
	if err != nil {
		a.approvalFailed(w, r, err)
		return
	}
	status, action := "approved", audit.ActionAgentActionApproved
	if decision == "reject" {
		status, action = "rejected", audit.ActionAgentActionRejected
	}
	if err := a.db.decideAction(r.Context(), s, act.ID, status, a.now()); err != nil {
		a.approvalFailed(w, r, authn.ErrApprovalUsed)
		return
	}
	target := audit.Target{Type: "agent_action", ID: act.ID}
	a.record(r, audit.Event{Action: audit.ActionApprovalLinkUsed, Outcome: audit.Success, OrgID: s.OrgID(), Target: target})
	a.record(r, audit.Event{Action: action, Outcome: audit.Success, Severity: audit.SeverityLow, OrgID: s.OrgID(), Target: target, Metadata: map[string]string{"summary": act.Summary}})
	if status == "approved" {
		// The simulated agent now runs the action.
		a.record(r, audit.Event{Action: audit.ActionAgentActionExecuted, Outcome: audit.Success, OrgID: s.OrgID(), Target: target, Metadata: map[string]string{"simulated": "true"}})
	}
	redirect(w, r, "/orgs/"+s.OrgID()+"/assistant")
}
