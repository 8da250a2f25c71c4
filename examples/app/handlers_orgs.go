package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/tenant"
)

func (a *app) orgsPage(w http.ResponseWriter, r *http.Request) {
	uid, _ := a.userID(r)
	orgs, err := a.db.orgsForUser(r.Context(), uid)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "orgs.html", pageData{Title: "Your organisations", Data: orgs})
}

func (a *app) orgCreate(w http.ResponseWriter, r *http.Request) {
	uid, _ := a.userID(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 100 {
		orgs, _ := a.db.orgsForUser(r.Context(), uid)
		a.render(w, r, http.StatusUnprocessableEntity, "orgs.html", pageData{Title: "Your organisations", Error: "Give the organisation a name (at most 100 characters).", Data: orgs})
		return
	}
	o := org{ID: randomID(), Name: name}
	if err := a.db.createOrg(r.Context(), o, uid, a.now()); err != nil {
		a.serverError(w, r, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionOrgCreated, Outcome: audit.Success, OrgID: o.ID, Target: audit.Target{Type: "org", ID: o.ID}})
	redirect(w, r, "/orgs/"+o.ID)
}

type orgData struct {
	Org        org
	Members    []member
	Me         string
	CanManage  bool
	CanAudit   bool
	CanInteg   bool
	InviteLink string
	// InviteRoles are the roles this user may invite with (no higher
	// than their own).
	InviteRoles []string
}

func (a *app) orgPage(w http.ResponseWriter, r *http.Request, status int, msg, problem, inviteLink string) {
	s := tenant.MustFromContext(r.Context())
	name, err := a.db.orgName(r.Context(), s)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	members, err := a.db.members(r.Context(), s)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	d := orgData{Org: org{ID: s.OrgID(), Name: name, Role: s.Role()}, Members: members, Me: s.UserID(),
		CanManage: s.Can(tenant.PermManageMembers), CanAudit: s.Can(tenant.PermViewAudit), CanInteg: s.Can(tenant.PermManageIntegrations),
		InviteLink: inviteLink}
	for _, role := range []tenant.Role{tenant.RoleViewer, tenant.RoleMember, tenant.RoleAdmin, tenant.RoleOwner} {
		if tenant.CheckInvite(s, role) == nil {
			d.InviteRoles = append(d.InviteRoles, role.String())
		}
	}
	a.render(w, r, status, "org.html", pageData{Title: name, Message: msg, Error: problem, Data: d})
}

func (a *app) orgHome(w http.ResponseWriter, r *http.Request) {
	a.orgPage(w, r, http.StatusOK, "", "", "")
}

// ruleMessage explains a refused role change in words.
func ruleMessage(err error) string {
	switch {
	case errors.Is(err, tenant.ErrSelfRoleChange):
		return "You cannot change your own role."
	case errors.Is(err, tenant.ErrOwnerRequired):
		return "Only owners can make someone an owner."
	case errors.Is(err, tenant.ErrAboveOwnRole), errors.Is(err, tenant.ErrInviteAboveOwnRole):
		return "You cannot grant a role above your own, or change someone who ranks above you."
	case errors.Is(err, tenant.ErrLastOwner):
		return "The organisation must keep at least one owner."
	case errors.Is(err, tenant.ErrNotMember):
		return "That person is not a member."
	case errors.Is(err, tenant.ErrInvalidRole):
		return "Choose a valid role."
	case errors.Is(err, tenant.ErrForbidden):
		return "Your role does not allow this (it may have changed meanwhile)."
	}
	return ""
}

// ruleError renders a refused change (422 for rule violations, 500 for
// anything else) and audits it.
func (a *app) ruleError(w http.ResponseWriter, r *http.Request, action, target string, err error) {
	msg := ruleMessage(err)
	if msg == "" {
		a.serverError(w, r, err)
		return
	}
	s := tenant.MustFromContext(r.Context())
	a.record(r, audit.Event{Action: action, Outcome: audit.Denied, Severity: audit.SeverityLow, OrgID: s.OrgID(),
		Target: audit.Target{Type: "member", ID: target}, Reason: err.Error()})
	status := http.StatusUnprocessableEntity
	if errors.Is(err, tenant.ErrForbidden) {
		status = http.StatusForbidden
	}
	a.orgPage(w, r, status, "", msg, "")
}

func (a *app) orgInvite(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	role, err := tenant.ParseRole(r.PostFormValue("role"))
	if err == nil {
		err = tenant.CheckInvite(s, role)
	}
	if err != nil {
		a.ruleError(w, r, audit.ActionMemberInvited, "", err)
		return
	}
	inv := invite{ID: randomID(), OrgID: s.OrgID(), Role: role, InvitedBy: s.UserID()}
	if err := a.db.createInvite(r.Context(), s, inv, a.now()); err != nil {
		a.serverError(w, r, err)
		return
	}
	tok, err := a.invites.Issue(r.Context(), s.OrgID()+"/"+inv.ID)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	link := a.link("/invites/accept#" + tok.Value.Reveal())
	a.record(r, audit.Event{Action: audit.ActionMemberInvited, Outcome: audit.Success, OrgID: s.OrgID(),
		Target: audit.Target{Type: "invitation", ID: inv.ID}, Metadata: map[string]string{"role": role.String()}})
	a.orgPage(w, r, http.StatusOK, "Invitation created. Send this link to the person you invite; it works once, for 7 days.", "", link)
}

func (a *app) acceptPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	a.render(w, r, http.StatusOK, "accept.html", pageData{Title: "Join an organisation"})
}

// acceptInvite redeems an invitation token for the signed-in user. The
// inviter's role is checked again: an inviter demoted since cannot
// smuggle in a role above their current one.
func (a *app) acceptInvite(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	uid, _ := a.userID(r)
	reject := func(reason string) {
		a.record(r, audit.Event{Action: audit.ActionOneTimeTokenRejected, Outcome: audit.Denied, Severity: audit.SeverityLow, Reason: "invitation: " + reason})
		a.render(w, r, http.StatusBadRequest, "accept.html", pageData{Title: "Join an organisation",
			Error: "This invitation is invalid, expired or already used. Ask for a new one."})
	}
	subject, err := a.invites.Consume(r.Context(), r.PostFormValue("token"))
	if err != nil {
		if !errors.Is(err, authn.ErrTokenInvalid) && !errors.Is(err, authn.ErrTokenExpired) {
			a.serverError(w, r, err)
			return
		}
		reject(err.Error())
		return
	}
	orgID, inviteID, ok := strings.Cut(subject, "/")
	if !ok {
		reject("malformed subject")
		return
	}
	// The org ID comes from our own token store, not from the request.
	bg, err := a.guard.UnsafeBackgroundScope(orgID, "accept-invitation", tenant.RoleMember)
	if err != nil {
		reject("bad org")
		return
	}
	inv, err := a.db.takeInvite(r.Context(), bg, inviteID)
	if errors.Is(err, errNotFound) {
		reject("invitation withdrawn")
		return
	} else if err != nil {
		a.serverError(w, r, err)
		return
	}
	inviterRole, found, err := a.db.Membership(r.Context(), orgID, inv.InvitedBy)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if !found || !inviterRole.AtLeast(tenant.RoleAdmin) || inv.Role > inviterRole {
		reject("inviter no longer allowed")
		return
	}
	added, err := a.db.addMember(r.Context(), orgID, uid, inv.Role)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if added {
		a.record(r, audit.Event{Action: audit.ActionMemberJoined, Outcome: audit.Success, OrgID: orgID,
			Target: audit.Target{Type: "member", ID: uid}, Metadata: map[string]string{"role": inv.Role.String(), "invited_by": inv.InvitedBy}})
	}
	redirect(w, r, "/orgs/"+orgID)
}

func (a *app) orgChangeRole(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	target := r.PathValue("user")
	to, err := tenant.ParseRole(r.PostFormValue("role"))
	if err == nil {
		err = a.db.changeRole(r.Context(), s, target, to)
	}
	if err != nil {
		a.ruleError(w, r, audit.ActionMemberRoleChanged, target, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionMemberRoleChanged, Outcome: audit.Success, Severity: audit.SeverityLow, OrgID: s.OrgID(),
		Target: audit.Target{Type: "member", ID: target}, Metadata: map[string]string{"role": to.String()}})
	redirect(w, r, "/orgs/"+s.OrgID())
}

func (a *app) orgRemove(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	target := r.PathValue("user")
	if err := a.db.removeMember(r.Context(), s, target); err != nil {
		a.ruleError(w, r, audit.ActionMemberRemoved, target, err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionMemberRemoved, Outcome: audit.Success, Severity: audit.SeverityLow, OrgID: s.OrgID(),
		Target: audit.Target{Type: "member", ID: target}})
	redirect(w, r, "/orgs/"+s.OrgID())
}

func (a *app) orgLeave(w http.ResponseWriter, r *http.Request) {
	s := tenant.MustFromContext(r.Context())
	if err := a.db.removeMember(r.Context(), s, s.UserID()); err != nil {
		a.ruleError(w, r, audit.ActionMemberRemoved, s.UserID(), err)
		return
	}
	a.record(r, audit.Event{Action: audit.ActionMemberRemoved, Outcome: audit.Success, OrgID: s.OrgID(),
		Target: audit.Target{Type: "member", ID: s.UserID()}, Metadata: map[string]string{"left": "true"}})
	redirect(w, r, "/orgs")
}
