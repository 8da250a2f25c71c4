package egress

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Transport is an [http.RoundTripper] that enforces a [Policy]: every
// request's URL is checked (scheme, port, IP literals), every connection is
// checked at connect time after DNS resolution, and response bodies are
// limited. It ignores proxy settings from the environment.
//
// Use [NewClient] unless the application builds its own [http.Client]; a
// client of your own must keep this Transport as its Transport, and should
// bound redirects and set a timeout itself.
//
// A Transport is safe for concurrent use. It pools connections like
// [http.Transport]; call CloseIdleConnections when discarding it. A zero or
// nil Transport has no policy and refuses every request with [ErrConfig].
type Transport struct {
	policy *Policy
	base   *http.Transport
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport validates cfg and returns a Transport enforcing it.
// Config.MaxRedirects and Config.Timeout concern the client and are not
// used by the Transport.
func NewTransport(cfg Config) (*Transport, error) {
	p, err := NewPolicy(cfg)
	if err != nil {
		return nil, err
	}
	return newTransport(p, newDialer(p)), nil
}

func newTransport(p *Policy, d *dialer) *Transport {
	return &Transport{
		policy: p,
		base: &http.Transport{
			Proxy:                  p.proxy, // nil unless configured: never from the environment
			DialContext:            d.DialContext,
			ForceAttemptHTTP2:      true,
			MaxIdleConns:           100,
			IdleConnTimeout:        90 * time.Second,
			TLSHandshakeTimeout:    10 * time.Second,
			ExpectContinueTimeout:  1 * time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
	}
}

// Policy returns the transport's policy, for validating URLs up front.
func (t *Transport) Policy() *Policy {
	if t == nil {
		return nil
	}
	return t.policy
}

// RoundTrip checks req's URL and sends it. See [http.RoundTripper].
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.Policy().CheckURL(req.URL); err != nil || t.base == nil {
		if err == nil {
			err = errNoPolicy
		}
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if max := t.policy.maxBody; max >= 0 {
		if resp.ContentLength > max {
			resp.Body.Close()
			return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrResponseTooLarge, resp.ContentLength, max)
		}
		resp.Body = &limitedBody{rc: resp.Body, remaining: max}
	}
	return resp, nil
}

// CloseIdleConnections closes pooled connections that are not in use.
func (t *Transport) CloseIdleConnections() {
	if t != nil && t.base != nil {
		t.base.CloseIdleConnections()
	}
}

// NewClient validates cfg and returns an http.Client that enforces it: the
// [Transport], redirects re-checked at every hop and limited to
// Config.MaxRedirects, and Config.Timeout for the whole exchange.
//
// For most uses, this is the function to call:
//
//	client, err := egress.NewClient(egress.Config{})
func NewClient(cfg Config) (*http.Client, error) {
	t, err := NewTransport(cfg)
	if err != nil {
		return nil, err
	}
	return newClient(t), nil
}

func newClient(t *Transport) *http.Client {
	p := t.policy
	c := &http.Client{Transport: t}
	if p.timeout > 0 {
		c.Timeout = p.timeout
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if p.maxRedirects < 0 {
			return http.ErrUseLastResponse
		}
		if len(via) > p.maxRedirects {
			return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, p.maxRedirects)
		}
		// RoundTrip checks again; checking here gives the clearer error
		// before any connection is attempted.
		return p.CheckURL(req.URL)
	}
	return c
}

// limitedBody fails a read that goes past the limit instead of silently
// truncating, so a caller never mistakes a cut-off document for a whole
// one.
type limitedBody struct {
	rc        io.ReadCloser
	remaining int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.remaining < 0 {
		return 0, ErrResponseTooLarge
	}
	// Read at most one byte past the limit, to tell a body that ends
	// exactly there from a longer one. (Compared this way round,
	// remaining+1 cannot overflow when the limit is math.MaxInt64.)
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining+1]
	}
	n, err := b.rc.Read(p)
	b.remaining -= int64(n)
	if b.remaining < 0 {
		return n - 1, ErrResponseTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
