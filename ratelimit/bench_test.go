package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// benchKeys are 1,000 keys cycled through by the benchmarks.
func benchKeys() []string {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("198.51.100.%d:%d", i%256, i)
	}
	return keys
}

// benchLimit never denies in the benchmarks, so every decision writes,
// and keeps keys tracked between uses (one event comes back every 864 µs).
var benchLimit = ratelimit.Per(100_000_000, 24*time.Hour)

func BenchmarkMemoryStoreAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("existing key", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		keys := benchKeys()
		for _, k := range keys {
			_, _ = s.Allow(ctx, k, benchLimit, 1)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			_, _ = s.Allow(ctx, keys[i%len(keys)], benchLimit, 1)
		}
	})
	b.Run("existing key parallel", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		keys := benchKeys()
		for _, k := range keys {
			_, _ = s.Allow(ctx, k, benchLimit, 1)
		}
		var seq atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(seq.Add(1)) * 7919
			for pb.Next() {
				_, _ = s.Allow(ctx, keys[i%len(keys)], benchLimit, 1)
				i++
			}
		})
	})
	b.Run("new key", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		keys := make([]string, b.N)
		for i := range keys {
			keys[i] = fmt.Sprint("new-", i)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			_, _ = s.Allow(ctx, keys[i], benchLimit, 1)
		}
	})
	b.Run("new key parallel", func(b *testing.B) {
		s := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		keys := make([]string, b.N)
		for i := range keys {
			keys[i] = fmt.Sprint("new-", i)
		}
		var seq atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = s.Allow(ctx, keys[seq.Add(1)-1], benchLimit, 1)
			}
		})
	})
}

func BenchmarkLimiterHandler(b *testing.B) {
	ipKey, err := ratelimit.IPKey(ratelimit.IPKeyConfig{})
	if err != nil {
		b.Fatal(err)
	}
	l := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{{Name: "ip", Limit: benchLimit, Key: ipKey}}})
	h := l.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "203.0.113.7:4242"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

func BenchmarkKeys(b *testing.B) {
	b.Run("HashKey", func(b *testing.B) {
		key, err := ratelimit.HashKey(testSecret, func(r *http.Request) (string, bool) {
			return r.Header.Get("X-Email"), true
		})
		if err != nil {
			b.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("X-Email", " Alice@Example.com")
		b.ReportAllocs()
		for b.Loop() {
			key(r)
		}
	})
	b.Run("IPKey behind a proxy", func(b *testing.B) {
		key, err := ratelimit.IPKey(ratelimit.IPKeyConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
		if err != nil {
			b.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = "10.1.2.3:4242"
		r.Header.Set("X-Forwarded-For", "2001:db8:1:2:3:4:5:6, 10.9.9.9")
		b.ReportAllocs()
		for b.Loop() {
			key(r)
		}
	})
}
