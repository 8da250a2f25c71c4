package headers

import "errors"

// Errors returned by the constructors. Every error wraps one of these
// sentinels and names the offending Config field, so callers can branch
// with [errors.Is] and operators can read what to fix.
var (
	// ErrInvalidConfig reports an unsafe or contradictory [Config],
	// [CORSConfig] or [CSRFConfig] field.
	ErrInvalidConfig = errors.New("headers: invalid configuration")

	// ErrInvalidPolicy reports a [Policy] that is malformed, could be used
	// to inject header syntax, or contradicts itself (for example
	// 'unsafe-inline' without a nonce or hash in script-src).
	ErrInvalidPolicy = errors.New("headers: invalid content security policy")

	// ErrInvalidOrigin reports an origin or origin pattern that is not in
	// the canonical serialized form scheme://host[:port].
	ErrInvalidOrigin = errors.New("headers: invalid origin")

	// ErrCrossOriginRequest is returned by [CSRF.Check] for a non-safe
	// cross-origin browser request.
	ErrCrossOriginRequest = errors.New("headers: cross-origin request rejected")
)
