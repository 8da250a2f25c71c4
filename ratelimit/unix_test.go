package ratelimit_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// TestIPKeyBehindUnixSocketProxy serves a limited handler on a real Unix
// socket, as behind a reverse proxy on the same host, and checks that
// clients named by X-Forwarded-For get their own budgets only when the
// socket is trusted; otherwise they share one.
func TestIPKeyBehindUnixSocketProxy(t *testing.T) {
	for _, trust := range []bool{true, false} {
		sock := filepath.Join(t.TempDir(), "app.sock")
		ln, err := net.Listen("unix", sock)
		require.NoError(t, err)
		key, err := ratelimit.IPKey(ratelimit.IPKeyConfig{TrustUnixSocket: trust})
		require.NoError(t, err)
		l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{{Name: "ip", Limit: ratelimit.PerHour(1), Key: key}}})
		srv := &http.Server{
			Handler:           l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})),
			ReadHeaderTimeout: 5 * time.Second,
		}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { _ = srv.Close() })
		client := &http.Client{Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", sock)
			},
		}}
		status := func(forwardedFor string) int {
			req, err := http.NewRequest(http.MethodGet, "http://app/", nil)
			require.NoError(t, err)
			req.Header.Set("X-Forwarded-For", forwardedFor)
			resp, err := client.Do(req)
			require.NoError(t, err)
			require.NoError(t, resp.Body.Close())
			return resp.StatusCode
		}
		require.Equal(t, http.StatusOK, status("198.51.100.1"), "trust=%v", trust)
		require.Equal(t, http.StatusTooManyRequests, status("198.51.100.1"), "trust=%v", trust)
		if trust {
			require.Equal(t, http.StatusOK, status("198.51.100.2"), "a second client behind the proxy has its own budget")
		} else {
			require.Equal(t, http.StatusTooManyRequests, status("198.51.100.2"), "untrusted socket peers share one budget")
		}
	}
}
