package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2/memstore"
	bredis "github.com/bulwark-go/bulwark/authn/redisstore"
	redigo "github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
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
			url := redisURL()
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

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// testRedis returns a go-redis client and a unique key prefix whose keys
// are deleted at cleanup; it skips without Redis unless CI is set.
func testRedis(tb testing.TB) (*goredis.Client, string) {
	tb.Helper()
	opt, err := goredis.ParseURL(redisURL())
	must(tb, err)
	c := goredis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		if os.Getenv("CI") != "" {
			tb.Fatalf("Redis is required in CI: %v", err)
		}
		tb.Skipf("Redis not available (set REDIS_URL): %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "bulwark-bench:session:" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c, prefix
}
