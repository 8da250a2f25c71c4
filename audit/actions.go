package audit

// Action names for the security events that multi-tenant SaaS products
// commonly audit, drawn from the seed products' security pages: admin audit
// logs of role changes, integrations and API keys, approvals of agent
// actions, sign-in and MFA events, share links, exports and abuse
// controls. Applications may define their own names; keep the
// "<object>.<past_tense_verb>" shape (lower case, one dot) so that logs
// stay greppable.

// Sign-in, sessions and credentials.
const (
	ActionLoginSucceeded         = "auth.login_succeeded"
	ActionLoginFailed            = "auth.login_failed"
	ActionLogout                 = "auth.logout"
	ActionSignup                 = "auth.signed_up"
	ActionAccountLocked          = "auth.account_locked"
	ActionPasswordChanged        = "auth.password_changed"
	ActionPasswordResetRequested = "auth.password_reset_requested"
	ActionPasswordResetCompleted = "auth.password_reset_completed"
	ActionEmailVerified          = "auth.email_verified"
	ActionReauthenticated        = "auth.reauthenticated" // step-up succeeded
	ActionReauthFailed           = "auth.reauth_failed"
	ActionSessionRevoked         = "auth.session_revoked"
	ActionAllSessionsRevoked     = "auth.sessions_revoked_all"
	ActionRefreshTokenReused     = "auth.refresh_token_reused" // token family revoked
	ActionOneTimeTokenRejected   = "auth.token_rejected"       // reset, verification or invitation token
	ActionApprovalLinkUsed       = "auth.approval_link_used"
	ActionApprovalLinkRejected   = "auth.approval_link_rejected"
)

// Multi-factor authentication.
const (
	ActionMFAEnrolled            = "mfa.enrolled"
	ActionMFADisabled            = "mfa.disabled"
	ActionMFAVerified            = "mfa.verified"
	ActionMFAFailed              = "mfa.failed"
	ActionMFACodeReplayed        = "mfa.code_replayed"
	ActionBackupCodeUsed         = "mfa.backup_code_used"
	ActionBackupCodesRegenerated = "mfa.backup_codes_regenerated"
)

// Organisations, membership and permissions.
const (
	ActionOrgCreated           = "org.created"
	ActionOrgDeleted           = "org.deleted"
	ActionOrgSettingsChanged   = "org.settings_changed"
	ActionOwnershipTransferred = "org.ownership_transferred"
	ActionMemberInvited        = "member.invited"
	ActionInvitationRevoked    = "member.invitation_revoked"
	ActionMemberJoined         = "member.joined"
	ActionMemberRemoved        = "member.removed"
	ActionMemberRoleChanged    = "member.role_changed"
	ActionPermissionGranted    = "permission.granted" // e.g. a board or document shared with a user
	ActionPermissionRevoked    = "permission.revoked"
)

// Integrations, API keys, secrets and shared data.
const (
	ActionIntegrationConnected    = "integration.connected"
	ActionIntegrationDisconnected = "integration.disconnected"
	ActionIntegrationTokenRotated = "integration.token_rotated"
	ActionAPIKeyCreated           = "api_key.created"
	ActionAPIKeyRevoked           = "api_key.revoked"
	ActionKeyRotated              = "secret.key_rotated" // encryption key rotation
	ActionSecretDecryptFailed     = "secret.decrypt_failed"
	ActionShareLinkCreated        = "share_link.created"
	ActionShareLinkRevoked        = "share_link.revoked"
	ActionDataExported            = "data.exported"
	ActionFileQuarantined         = "file.quarantined"
)

// AI agents acting on a user's behalf.
const (
	ActionAgentActionApproved = "agent.action_approved"
	ActionAgentActionRejected = "agent.action_rejected"
	ActionAgentActionExecuted = "agent.action_executed"
)

// Requests refused by a security control.
const (
	ActionAccessDenied    = "access.denied" // missing membership or permission
	ActionRateLimited     = "access.rate_limited"
	ActionCSRFRejected    = "access.csrf_rejected"
	ActionEgressBlocked   = "egress.blocked" // outbound request to a forbidden address
	ActionWebhookRejected = "webhook.rejected"
)

// The audit log itself.
const (
	ActionAuditVerifyFailed = "audit.verify_failed"
)
