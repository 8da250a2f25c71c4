package session

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2/memstore"
	redigo "github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"

	bredis "github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/bulwark-go/bulwark/internal/testredis"
)

// impl is one benchmarked implementation.
type impl struct {
	name string
	new  func(tb testing.TB, out *seen) Fixture
}

func memImpls(idle bool) []impl {
	return []impl{
		{"bulwark", func(tb testing.TB, out *seen) Fixture {
			f, err := NewBulwark(nil, out)
			must(tb, err)
			return f
		}},
		{"scs", func(tb testing.TB, out *seen) Fixture {
			f, err := NewSCS(memstore.NewWithCleanupInterval(0), idle, out)
			must(tb, err)
			return f
		}},
	}
}

func redisImpls() []impl {
	return []impl{
		{"bulwark", func(tb testing.TB, out *seen) Fixture {
			c, prefix := testRedis(tb)
			st, err := bredis.NewSessionStore(bredis.SessionStoreConfig{Client: c, Prefix: prefix})
			must(tb, err)
			f, err := NewBulwark(st, out)
			must(tb, err)
			return f
		}},
		{"scs", func(tb testing.TB, out *seen) Fixture {
			_, prefix := testRedis(tb)
			url := testredis.URL()
			pool := &redigo.Pool{MaxIdle: 10, Dial: func() (redigo.Conn, error) { return redigo.DialURL(url) }}
			tb.Cleanup(func() { _ = pool.Close() })
			f, err := NewSCS(redisstore.NewWithPrefix(pool, prefix), true, out)
			must(tb, err)
			return f
		}},
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// request returns a GET carrying cookie.
func request(cookie string) *http.Request {
	r := httptest.NewRequest("GET", "https://example.com/dashboard", nil)
	r.Header.Set("Cookie", "_ga=GA1.1.123; "+cookie+"; theme=dark")
	return r
}

// TestSameWork checks that every implementation, on the same request,
// finds the same user and data, and that a forged cookie finds nothing.
func TestSameWork(t *testing.T) {
	for _, set := range []struct {
		name  string
		impls []impl
	}{{"memory with idle timeout", memImpls(true)}, {"memory without idle timeout", memImpls(false)}, {"redis", redisImpls()}} {
		for _, im := range set.impls {
			t.Run(set.name+"/"+im.name, func(t *testing.T) {
				var out seen
				f := im.new(t, &out)
				for range 3 {
					out = seen{}
					f.Handler.ServeHTTP(httptest.NewRecorder(), request(f.Cookie))
					if out != (seen{"alice", "acme"}) {
						t.Fatalf("handler saw %+v, want alice/acme", out)
					}
				}
				out = seen{}
				forged := f.Cookie[:len(f.Cookie)-4] + "AAAA"
				f.Handler.ServeHTTP(httptest.NewRecorder(), request(forged))
				if out != (seen{}) {
					t.Fatalf("forged cookie: handler saw %+v", out)
				}
			})
		}
	}
}

// testRedis returns a client of the test Redis and a unique key prefix
// whose keys are deleted at cleanup (see internal/testredis).
func testRedis(tb testing.TB) (*goredis.Client, string) {
	tb.Helper()
	c := testredis.Client(tb)
	return c, testredis.Prefix(tb, c, "bench-session")
}
