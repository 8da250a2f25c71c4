package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeResolver answers from a map and never touches the network. A name
// may answer differently on successive lookups (for DNS rebinding).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	calls   map[string]int
}

func newFakeResolver(answers map[string][]string) *fakeResolver {
	r := &fakeResolver{answers: map[string][][]netip.Addr{}, calls: map[string]int{}}
	for name, addrs := range answers {
		r.add(name, addrs...)
	}
	return r
}

// add appends one answer (a list of addresses) for name.
func (r *fakeResolver) add(name string, addrs ...string) {
	var as []netip.Addr
	for _, a := range addrs {
		as = append(as, netip.MustParseAddr(a))
	}
	r.answers[name] = append(r.answers[name], as)
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	answers, ok := r.answers[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, &net.DNSError{Err: "no such host (fake resolver)", Name: host, IsNotFound: true}
	}
	i := min(r.calls[host], len(answers)-1)
	r.calls[host]++
	return answers[i], nil
}

// guard is the final dial of every test transport: it connects only to
// loopback addresses, and records and refuses everything else, so that no
// test can send a packet off this machine even if the policy under test is
// broken.
type guard struct {
	mu      sync.Mutex
	refused []string
	dialled []string
}

func (g *guard) dial(ctx context.Context, network, address string) (net.Conn, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		g.refused = append(g.refused, address)
		return nil, fmt.Errorf("test guard: refusing to dial non-loopback %s", address)
	}
	g.dialled = append(g.dialled, address)
	var d net.Dialer
	return d.DialContext(ctx, network, address)
}

func (g *guard) refusedDials() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.refused...)
}

// testClient builds a client whose final dial goes through the guard, while
// the policy checks (resolution, CheckAddr, ports) run as in production.
func testClient(t *testing.T, cfg Config) (*http.Client, *guard) {
	t.Helper()
	p, err := NewPolicy(cfg)
	require.NoError(t, err)
	g := &guard{}
	d := newDialer(p)
	d.dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		// The connect-time hook runs here exactly as net.Dialer would run
		// it, before the guard.
		if err := p.Control(ctx, network, address, nil); err != nil {
			return nil, err
		}
		return g.dial(ctx, network, address)
	}
	tr := newTransport(p, d)
	t.Cleanup(tr.CloseIdleConnections)
	return newClient(tr), g
}

func serverPort(t *testing.T, srv *httptest.Server) (string, uint16) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	port, err := strconv.ParseUint(u.Port(), 10, 16)
	require.NoError(t, err)
	return u.Port(), uint16(port)
}

func TestClientRefusesHostileTargets(t *testing.T) {
	resolver := newFakeResolver(map[string][]string{
		"internal.example": {"10.0.0.5"},
		"meta.example":     {"169.254.169.254"},
		"mixed.example":    {"93.184.215.14", "192.168.1.1"},
		"mapped.example":   {"::ffff:127.0.0.1"},
		"localhost":        {"127.0.0.1"},
	})
	client, g := testClient(t, Config{Resolver: resolver})
	tests := []struct {
		name    string
		url     string
		wantErr error
	}{
		{"decimal IPv4 form", "http://2130706433/", ErrAmbiguousHost},
		{"octal IPv4 form", "http://0177.0.0.1/", ErrAmbiguousHost},
		{"hex IPv4 form", "http://0x7f000001/", ErrAmbiguousHost},
		{"IPv4-mapped IPv6 loopback literal", "http://[::ffff:127.0.0.1]/", ErrDeniedAddress},
		{"localhost with trailing dot", "http://localhost./", ErrDeniedAddress},
		{"metadata literal", "http://169.254.169.254/latest/meta-data/", ErrDeniedAddress},
		{"IPv6 metadata literal", "http://[fd00:ec2::254]/", ErrDeniedAddress},
		{"name resolving to a private address", "http://internal.example/", ErrDeniedAddress},
		{"name resolving to the metadata address", "http://meta.example/", ErrDeniedAddress},
		{"name resolving to public and private addresses", "http://mixed.example/", ErrDeniedAddress},
		{"name resolving to a mapped loopback address", "https://mapped.example/", ErrDeniedAddress},
		{"non-default port", "http://internal.example:8080/", ErrPort},
		{"non-http scheme", "ftp://internal.example/", ErrScheme},
		{"credentials", "http://u:p@internal.example/", ErrCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := client.Get(tt.url)
			if resp != nil {
				resp.Body.Close()
			}
			require.Error(t, err, "GET %s", tt.url)
			assert.ErrorIs(t, err, tt.wantErr, "GET %s", tt.url)
		})
	}
	assert.Empty(t, g.refusedDials(), "the policy must refuse before any dial is attempted")
}

func TestClientRefusesDNSRebinding(t *testing.T) {
	// The name is public when the URL is validated and when first fetched,
	// then resolves to a private address.
	resolver := newFakeResolver(nil)
	resolver.add("rebind.example", "93.184.215.14")
	resolver.add("rebind.example", "10.0.0.7")
	client, g := testClient(t, Config{Resolver: resolver})

	p := mustPolicy(t, Config{Resolver: resolver})
	_, err := p.ValidateURL("http://rebind.example/")
	require.NoError(t, err, "validation does no DNS and accepts the name")

	// First fetch: public answer; the guard refuses the (non-loopback)
	// connection, proving the policy let it through to the dial.
	_, err = client.Get("http://rebind.example/")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrDeniedAddress)
	assert.Equal(t, []string{"93.184.215.14:80"}, g.refusedDials())

	// Second fetch: private answer, refused by the policy before dialling.
	_, err = client.Get("http://rebind.example/")
	var de *DeniedError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, ClassPrivate, de.Class)
	assert.Equal(t, []string{"93.184.215.14:80"}, g.refusedDials(), "no dial to the private address")
}

func TestClientAllowedTargets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from "+r.Host)
	}))
	defer srv.Close()
	portStr, port := serverPort(t, srv)

	t.Run("allowed host name resolving to loopback", func(t *testing.T) {
		resolver := newFakeResolver(map[string][]string{"jira.corp.example": {"127.0.0.1"}})
		client, _ := testClient(t, Config{Resolver: resolver, AllowedHosts: []string{"jira.corp.example"}, AllowedPorts: []uint16{port}})
		resp, err := client.Get("http://jira.corp.example:" + portStr + "/")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, "hello from jira.corp.example:"+portStr, string(body))
	})
	t.Run("allowed prefix", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowedPorts: []uint16{port}})
		resp, err := client.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
	t.Run("the same server without an allow entry", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPorts: []uint16{port}})
		_, err := client.Get(srv.URL)
		assert.ErrorIs(t, err, ErrDeniedAddress)
	})
	t.Run("production dialer with its Control hook", func(t *testing.T) {
		// NewClient's real net.Dialer, against the loopback server only.
		client, err := NewClient(Config{AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowedPorts: []uint16{port}})
		require.NoError(t, err)
		resp, err := client.Get(srv.URL)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	})
}

func TestClientRechecksRedirects(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "internal secret")
	}))
	defer target.Close()
	targetPortStr, targetPort := serverPort(t, target)

	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-loopback":
			http.Redirect(w, r, "http://127.0.0.1:"+targetPortStr+"/", http.StatusFound)
		case "/to-internal-name":
			http.Redirect(w, r, "http://internal.example:"+targetPortStr+"/", http.StatusFound)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer redirector.Close()
	redirPortStr, redirPort := serverPort(t, redirector)

	resolver := newFakeResolver(map[string][]string{
		"allowed.example":  {"127.0.0.1"},
		"internal.example": {"10.0.0.9"},
	})
	client, g := testClient(t, Config{
		Resolver:     resolver,
		AllowedHosts: []string{"allowed.example"},
		AllowedPorts: []uint16{80, redirPort, targetPort},
		MaxRedirects: 3,
	})
	base := "http://allowed.example:" + redirPortStr
	for _, tt := range []struct {
		path    string
		wantErr error
	}{
		{"/to-loopback", ErrDeniedAddress},
		{"/to-internal-name", ErrDeniedAddress},
		{"/to-metadata", ErrDeniedAddress},
		{"/to-file", ErrScheme},
		{"/loop", ErrTooManyRedirects},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := client.Get(base + tt.path)
			if resp != nil {
				resp.Body.Close()
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
	assert.Empty(t, g.refusedDials())
}

func TestClientNoRedirects(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("/elsewhere", http.StatusFound))
	defer srv.Close()
	_, port := serverPort(t, srv)
	client, _ := testClient(t, Config{AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, AllowedPorts: []uint16{port}, MaxRedirects: -1})
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusFound, resp.StatusCode)
}

func TestClientLimitsResponseBody(t *testing.T) {
	payload := strings.Repeat("x", 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			// No Content-Length: the limit must hold while streaming.
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, payload)
	}))
	defer srv.Close()
	_, port := serverPort(t, srv)
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

	t.Run("Content-Length over the limit fails before reading", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPrefixes: allow, AllowedPorts: []uint16{port}, MaxResponseBytes: 10})
		_, err := client.Get(srv.URL + "/")
		assert.ErrorIs(t, err, ErrResponseTooLarge)
	})
	t.Run("streamed body over the limit fails while reading", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPrefixes: allow, AllowedPorts: []uint16{port}, MaxResponseBytes: 10})
		resp, err := client.Get(srv.URL + "/chunked")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		assert.ErrorIs(t, err, ErrResponseTooLarge)
		assert.Equal(t, payload[:10], string(body), "at most the limit is delivered")
	})
	t.Run("body exactly at the limit is whole", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPrefixes: allow, AllowedPorts: []uint16{port}, MaxResponseBytes: 100})
		resp, err := client.Get(srv.URL + "/chunked")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, payload, string(body))
	})
	t.Run("the largest limit reads the body whole", func(t *testing.T) {
		client, _ := testClient(t, Config{AllowedPrefixes: allow, AllowedPorts: []uint16{port}, MaxResponseBytes: math.MaxInt64})
		resp, err := client.Get(srv.URL + "/chunked")
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, payload, string(body))
	})
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	var proxied bool
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied = true
	}))
	defer proxy.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "direct")
	}))
	defer srv.Close()
	_, port := serverPort(t, srv)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)

	client, _ := testClient(t, Config{AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowedPorts: []uint16{port}})
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "direct", string(body))
	assert.False(t, proxied, "the request went through the environment's proxy")
}

func TestDialRefusesNonTCP(t *testing.T) {
	p := mustPolicy(t, Config{})
	g := &guard{}
	d := newDialer(p)
	d.dial = g.dial
	_, err := d.DialContext(context.Background(), "udp", "93.184.215.14:443")
	assert.True(t, errors.Is(err, ErrNetwork))
	assert.Empty(t, g.refusedDials())
}
