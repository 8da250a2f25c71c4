package audit

import "time"

// Outcome says how the audited action ended.
type Outcome string

// Outcomes. An empty Outcome is omitted from the encoding.
const (
	// Success: the action was performed.
	Success Outcome = "success"
	// Failure: the action was attempted and failed (bad password, expired
	// token, backend error).
	Failure Outcome = "failure"
	// Denied: the action was refused by a policy (missing permission, rate
	// limit, CSRF check).
	Denied Outcome = "denied"
)

// Severity ranks how urgently a human should look at an event. The values
// follow the usual low/medium/high/critical scale of security alerting,
// with info for routine events.
type Severity string

// Severities. An empty Severity is omitted from the encoding; [Logger]
// sets it to [SeverityInfo].
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Actor is who performed the action (OWASP Logging Cheat Sheet: "who").
type Actor struct {
	// UserID is the application's stable identifier for the user, never an
	// email address or name when an opaque ID exists.
	UserID string `json:"user_id,omitempty"`
	// IP is the client IP address as resolved through trusted proxies
	// (see [HTTP.Fill]), in textual form.
	IP string `json:"ip,omitempty"`
	// UserAgent is the client's User-Agent header, truncated by
	// [HTTP.Fill] to a bounded length.
	UserAgent string `json:"user_agent,omitempty"`
}

// Target is what the action was performed on (OWASP: "what").
type Target struct {
	// Type is the kind of object, such as "member", "integration",
	// "api_key".
	Type string `json:"type,omitempty"`
	// ID identifies the object within its type.
	ID string `json:"id,omitempty"`
}

// Event is one audit record, following the OWASP Logging Cheat Sheet's
// when, where, who and what.
//
// The JSON field names in the struct tags are the stable wire names used by
// every encoding in this package ([AppendJSON], [JSONSink], [ChainSink]);
// encoding/json can decode those lines into an Event.
//
// Metadata holds extra string attributes. Keys that look sensitive
// (password, token, secret, cookie, …) are replaced by "[REDACTED]" by a
// [Logger] before any sink sees the event; see [IsSensitiveKey]. Never put
// secrets, full URLs with query strings (use [RedactURL]) or request bodies
// into an Event.
type Event struct {
	// Time is when the action happened. Encodings always write it in UTC.
	// Logger sets it from its clock when zero.
	Time time.Time `json:"time"`
	// Action is a dotted, lower-case name such as "member.role_changed";
	// see the Action constants. Required by Logger.
	Action string `json:"action"`
	// Outcome is success, failure or denied.
	Outcome Outcome `json:"outcome,omitempty"`
	// Severity ranks the event; Logger defaults it to info.
	Severity Severity `json:"severity,omitempty"`
	// Actor is who did it.
	Actor Actor `json:"actor,omitzero"`
	// OrgID is the tenant the action happened in.
	OrgID string `json:"org_id,omitempty"`
	// Target is what it was done to.
	Target Target `json:"target,omitzero"`
	// RequestID ties the event to the request that caused it. Logger fills
	// it from the context ([RequestIDFromContext]) when empty.
	RequestID string `json:"request_id,omitempty"`
	// Reason explains a failure or denial in words meant for the reviewer
	// ("missing permission members.manage"). Never a secret.
	Reason string `json:"reason,omitempty"`
	// Metadata holds further string attributes, encoded as a JSON object
	// with keys in sorted order.
	Metadata map[string]string `json:"metadata,omitempty"`
}
