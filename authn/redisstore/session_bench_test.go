package redisstore_test

import (
	"testing"

	"github.com/bulwark-go/bulwark/authn/internal/sessiontest"
)

// BenchmarkSessionMiddlewareRedis measures a request with a valid session
// cookie through Sessions.Middleware with the Redis store: one EVALSHA per
// request (see TestSessionValidateIsOneRoundTrip).
func BenchmarkSessionMiddlewareRedis(b *testing.B) {
	st, _, _ := newSessionStore(b)
	sessiontest.RunMiddlewareBenchmark(b, st)
}
