package redisstore_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
	"github.com/bulwark-go/bulwark/ratelimit/redisstore"
)

// TestRedisOutage runs traffic through two Limiters sharing a Redis the
// test started itself, kills the server mid-traffic, and checks that the
// default Limiter fails closed (503) while the InsecureFailOpen one lets
// requests through, both telling their OnError hook; then restarts Redis
// on the same port and checks that limiting resumes.
func TestRedisOutage(t *testing.T) {
	srv := startOwnRedis(t)
	store, err := redisstore.New(redisstore.Config{Client: srv.client()})
	require.NoError(t, err)

	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	require.NoError(t, err)
	type hookLog struct {
		mu   sync.Mutex
		errs []error
	}
	newLimiter := func(name string, failOpen bool, log *hookLog) http.Handler {
		l, err := ratelimit.New(ratelimit.Config{
			Store:            store,
			Rules:            []ratelimit.Rule{{Name: name, Limit: ratelimit.PerMinute(3), Key: ipKey}},
			InsecureFailOpen: failOpen,
			OnError: func(r *http.Request, err error) {
				log.mu.Lock()
				defer log.mu.Unlock()
				log.errs = append(log.errs, err)
			},
		})
		require.NoError(t, err)
		return l.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("ok"))
		}))
	}
	var closedLog, openLog hookLog
	closed := newLimiter("closed", false, &closedLog)
	open := newLimiter("open", true, &openLog)
	do := func(h http.Handler, ip string) int {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = ip + ":1000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	// Redis up: both limit.
	for _, h := range []http.Handler{closed, open} {
		assert.Equal(t, []int{200, 200, 200, 429}, []int{do(h, "192.0.2.1"), do(h, "192.0.2.1"), do(h, "192.0.2.1"), do(h, "192.0.2.1")})
	}
	require.Empty(t, closedLog.errs)
	require.Empty(t, openLog.errs)

	// Redis dies.
	srv.kill()
	for i := range 3 {
		assert.Equal(t, http.StatusServiceUnavailable, do(closed, "192.0.2.2"), "fail-closed request %d", i)
		assert.Equal(t, http.StatusOK, do(open, "192.0.2.2"), "fail-open request %d", i)
		// Even a client that was already limited passes when failing open.
		assert.Equal(t, http.StatusOK, do(open, "192.0.2.1"), "fail-open request %d", i)
	}
	require.Len(t, closedLog.errs, 3)
	require.Len(t, openLog.errs, 6)
	for _, err := range append(closedLog.errs, openLog.errs...) {
		require.ErrorIs(t, err, ratelimit.ErrUnavailable)
	}

	// Redis returns (empty: it was started without persistence, so budgets
	// start over) and limiting resumes on both.
	srv.start()
	for _, h := range []http.Handler{closed, open} {
		assert.Equal(t, []int{200, 200, 200, 429}, []int{do(h, "192.0.2.3"), do(h, "192.0.2.3"), do(h, "192.0.2.3"), do(h, "192.0.2.3")})
	}
	assert.Len(t, closedLog.errs, 3, "errors after recovery")
	assert.Len(t, openLog.errs, 6, "errors after recovery")
}
