package session

import (
	"net/http/httptest"
	"testing"
)

func runImpls(b *testing.B, impls []impl) {
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			var out seen
			f := im.new(b, &out)
			r := request(f.Cookie)
			b.ReportAllocs()
			for b.Loop() {
				f.Handler.ServeHTTP(httptest.NewRecorder(), r)
			}
			if out.user != "alice" {
				b.Fatalf("handler saw %+v", out)
			}
		})
	}
}

// BenchmarkSession: a request with a valid session cookie, memory stores,
// 1-hour idle timeout and 24-hour lifetime in both.
func BenchmarkSession(b *testing.B) { runImpls(b, memImpls(true)) }

// BenchmarkSessionLifetimeOnly: as BenchmarkSession, but scs has no idle
// timeout, so it does not re-store the session on every request.
func BenchmarkSessionLifetimeOnly(b *testing.B) { runImpls(b, memImpls(false)) }

// BenchmarkSessionRedis: as BenchmarkSession with the Redis stores
// (bulwark: go-redis, one Lua script; scs: redigo, GET plus SET per
// request because of the idle timeout).
func BenchmarkSessionRedis(b *testing.B) { runImpls(b, redisImpls()) }
