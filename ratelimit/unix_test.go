package ratelimit_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/testunix"
	"github.com/bulwark-go/bulwark/ratelimit"
)

// TestIPKeyBehindUnixSocketProxy serves a limited handler on a real Unix
// socket, as behind a reverse proxy on the same host, and checks that
// clients named by X-Forwarded-For get their own budgets only when the
// socket is trusted; otherwise they share one.
func TestIPKeyBehindUnixSocketProxy(t *testing.T) {
	for _, trust := range []bool{true, false} {
		key, err := ratelimit.IPKey(ratelimit.IPKeyConfig{TrustUnixSocket: trust})
		require.NoError(t, err)
		l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{{Name: "ip", Limit: ratelimit.PerHour(1), Key: key}}})
		client := testunix.Serve(t, l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
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
