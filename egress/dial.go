package egress

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
)

// allowedHostKey marks, in a dial's context, that the connection is for a
// host in Config.AllowedHosts.
type allowedHostKey struct{}

// Control is the connect-time check, with the signature of
// net.Dialer.ControlContext. It runs after DNS resolution, just before the
// socket connects, with the literal address being dialled, so it sees
// exactly where the packet goes: a name that resolved to a public address
// when it was validated and to a private one now (DNS rebinding) is
// refused here.
//
// Use it to harden a dialer of your own:
//
//	d := &net.Dialer{ControlContext: policy.Control}
//
// Such a dialer does not know which host name it is connecting for, so
// Config.AllowedHosts does not apply there: only AllowedPrefixes can open
// a denied range for it.
func (p *Policy) Control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	if p == nil {
		return errNoPolicy
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("%w: %q", ErrNetwork, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &DeniedError{Class: ClassInvalid}
	}
	if err := p.checkPort(ap.Port()); err != nil {
		return err
	}
	hostAllowed, _ := ctx.Value(allowedHostKey{}).(bool)
	return p.checkAddr(ap.Addr(), hostAllowed)
}

// dialer resolves and checks addresses itself, then connects with a
// net.Dialer whose Control hook checks again at connect time.
type dialer struct {
	p    *Policy
	net  net.Dialer
	dial func(ctx context.Context, network, address string) (net.Conn, error) // the final connect; tests replace it
}

func newDialer(p *Policy) *dialer {
	d := &dialer{p: p}
	d.net = net.Dialer{Timeout: p.dialTimeout, ControlContext: p.Control}
	d.dial = d.net.DialContext
	return d
}

func (d *dialer) resolver() Resolver {
	if d.p.resolver != nil {
		return d.p.resolver
	}
	return net.DefaultResolver
}

// DialContext dials host:port over TCP, refusing denied destinations. When
// a name resolves to several addresses and any of them is denied, the
// whole dial is refused: a resolver that mixes public and private answers
// is hostile, and trying the public one first would only hide it.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("%w: %q", ErrNetwork, network)
	}
	host, portStr, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: bad port", ErrInvalidURL)
	}
	if err := d.p.checkPort(uint16(port)); err != nil {
		return nil, err
	}

	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if err := d.p.checkHost(host); err != nil {
			return nil, err
		}
		if d.p.hostAllowed(host) {
			ctx = context.WithValue(ctx, allowedHostKey{}, true)
		}
		ipNet := "ip"
		switch network {
		case "tcp4":
			ipNet = "ip4"
		case "tcp6":
			ipNet = "ip6"
		}
		addrs, err = d.resolver().LookupNetIP(ctx, ipNet, host)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	hostAllowed, _ := ctx.Value(allowedHostKey{}).(bool)
	for _, a := range addrs {
		if err := d.p.checkAddr(a, hostAllowed); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, a := range addrs {
		c, err := d.dial(ctx, network, netip.AddrPortFrom(a.Unmap(), uint16(port)).String())
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
