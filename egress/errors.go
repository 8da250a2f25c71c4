package egress

import (
	"errors"
	"fmt"
	"net/netip"
)

var (
	// ErrDeniedAddress reports a connection to, or a URL naming, an address
	// the policy refuses. The concrete error is a *[DeniedError], which
	// carries the address class for audit logs.
	ErrDeniedAddress = errors.New("egress: destination address denied")

	// ErrScheme reports a URL scheme outside Config.AllowedSchemes.
	ErrScheme = errors.New("egress: URL scheme not allowed")

	// ErrPort reports a destination port outside Config.AllowedPorts.
	ErrPort = errors.New("egress: destination port not allowed")

	// ErrCredentials reports a URL with user information
	// (https://user:pass@host/); credentials belong in headers, where they
	// are not logged with the URL.
	ErrCredentials = errors.New("egress: credentials in URL")

	// ErrInvalidURL reports a URL that cannot be parsed or has no host.
	ErrInvalidURL = errors.New("egress: invalid URL")

	// ErrAmbiguousHost reports a host written in a form that resolvers
	// disagree about, such as a decimal (2130706433), octal (0177.0.0.1) or
	// hexadecimal (0x7f.1) IPv4 address, or an IPv6 zone. These forms are
	// classic filter bypasses; no legitimate service URL needs them.
	ErrAmbiguousHost = errors.New("egress: ambiguous host")

	// ErrNetwork reports a dial on a network other than TCP.
	ErrNetwork = errors.New("egress: network not allowed")

	// ErrTooManyRedirects reports a redirect chain longer than
	// Config.MaxRedirects.
	ErrTooManyRedirects = errors.New("egress: too many redirects")

	// ErrResponseTooLarge reports a response body longer than
	// Config.MaxResponseBytes. The body is cut off, never silently
	// truncated: the read that crosses the limit returns this error.
	ErrResponseTooLarge = errors.New("egress: response body too large")

	// ErrConfig reports an invalid [Config].
	ErrConfig = errors.New("egress: invalid config")

	// errNoPolicy is returned by a nil Policy and by a Transport not
	// created by NewTransport or NewClient: with no policy, nothing is
	// allowed.
	errNoPolicy = fmt.Errorf("%w: no policy (create it with NewPolicy, NewTransport or NewClient)", ErrConfig)
)

// DeniedError is the error for a refused destination. It matches
// [ErrDeniedAddress] with errors.Is.
//
// Its message names the address and its class (for example "loopback" or
// "cloud metadata"), never a response body, so it is safe to log and to
// record in an audit trail. Do not show it to the user who supplied the URL:
// for a host name, the address is what the name resolved to inside your
// network, which is itself worth hiding; say "this URL is not allowed".
type DeniedError struct {
	Addr  netip.Addr // the refused address
	Class string     // why it is refused, such as "private" or "link-local"
}

// Error returns "egress: destination address denied: <address> (<class>)".
func (e *DeniedError) Error() string {
	return "egress: destination address denied: " + e.Addr.String() + " (" + e.Class + ")"
}

// Is reports whether target is [ErrDeniedAddress].
func (e *DeniedError) Is(target error) bool { return target == ErrDeniedAddress }
