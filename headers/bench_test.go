package headers_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/headers"
)

// discard is a ResponseWriter whose header map is reused between
// iterations, so the benchmark measures the middleware, not map growth.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchmarkHandler(b *testing.B, cfg headers.Config, readNonce bool) {
	h, err := headers.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var sink string
	handler := h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if readNonce {
			sink = headers.Nonce(r.Context())
		}
	}))
	r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.TLS = &tls.ConnectionState{}
	w := &discard{h: make(http.Header, 16)}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		handler.ServeHTTP(w, r)
	}
	_ = sink
}

func BenchmarkHandler(b *testing.B) {
	b.Run("nonce", func(b *testing.B) {
		benchmarkHandler(b, headers.Config{}, true)
	})
	b.Run("nonce_reportonly", func(b *testing.B) {
		benchmarkHandler(b, headers.Config{CSPReportOnly: headers.DefaultPolicy()}, true)
	})
	b.Run("static", func(b *testing.B) {
		p := headers.DefaultPolicy()
		p[headers.ScriptSrc] = []headers.Source{headers.Self}
		benchmarkHandler(b, headers.Config{CSP: p}, false)
	})
}

func BenchmarkCORS(b *testing.B) {
	c, err := headers.NewCORS(headers.CORSConfig{
		AllowedOrigins:        []string{"https://app.example.com"},
		AllowedOriginPatterns: []string{"https://*.example.org"},
		AllowCredentials:      true,
	})
	if err != nil {
		b.Fatal(err)
	}
	handler := c.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, origin := range []string{"https://app.example.com", "https://a.example.org", "https://evil.example"} {
		b.Run(origin[8:], func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "https://api.example.com/", nil)
			r.Header.Set("Origin", origin)
			w := &discard{h: make(http.Header, 8)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				handler.ServeHTTP(w, r)
			}
		})
	}
}

func BenchmarkCSRF(b *testing.B) {
	c, err := headers.NewCSRF(headers.CSRFConfig{TrustedOrigins: []string{"https://admin.example.com"}})
	if err != nil {
		b.Fatal(err)
	}
	handler := c.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodPost, "https://example.com/", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w := &discard{h: make(http.Header)}
	b.ReportAllocs()
	for b.Loop() {
		handler.ServeHTTP(w, r)
	}
}
