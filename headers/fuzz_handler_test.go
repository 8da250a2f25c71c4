package headers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bulwark-go/bulwark/headers"
)

// FuzzRedirectHTTP sends plain-HTTP requests with hostile Host headers and
// targets through the HTTPS redirect: it must never panic, and any
// Location it sends must be https on the request's own host name (an IP
// literal or lower-case DNS name without user info), never somewhere else.
func FuzzRedirectHTTP(f *testing.F) {
	for _, s := range [][2]string{
		{"example.com", "/a?b=c"},
		{"example.com:8080", "/"},
		{"[::1]:8080", "/x"},
		{"evil.com@example.com", "/"},
		{"example.com/evil.com", "/"},
		{"example.com\\evil.com", "/"},
		{"EXAMPLE.com", "//evil.com/"},
		{"example.com.", "/"},
		{"", "*"},
		{"[::ffff:127.0.0.1]", "/%0d%0aSet-Cookie:x"},
	} {
		f.Add(s[0], s[1])
	}
	h, err := headers.New(headers.Config{RedirectHTTP: true})
	if err != nil {
		f.Fatal(err)
	}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("a plain-HTTP request reached the next handler")
	})
	handler := h.Handler(next)
	f.Fuzz(func(t *testing.T, host, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil && target != "*" {
			return
		}
		r := &http.Request{Method: http.MethodGet, Host: host, URL: u, Header: http.Header{}, RemoteAddr: "192.0.2.1:1234"}
		if u == nil {
			r.URL = &url.URL{Path: "*"}
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		loc := rec.Header().Get("Location")
		if loc == "" {
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("Host %q target %q: status %d without a Location", host, target, rec.Code)
			}
			return
		}
		lu, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("Host %q target %q: unparseable Location %q", host, target, loc)
		}
		want := strings.ToLower(host)
		if i := strings.LastIndexByte(want, ':'); i >= 0 && !strings.HasSuffix(want, "]") {
			want = want[:i]
		}
		if lu.Scheme != "https" || lu.User != nil || lu.Host != want || strings.ContainsAny(lu.Host, "@/\\") {
			t.Fatalf("Host %q target %q: Location %q leaves the site", host, target, loc)
		}
	})
}

// FuzzCORS sends arbitrary Origin and preflight headers through a CORS
// configuration with credentials: it must never panic, and only an allowed
// origin, echoed exactly, may ever receive Access-Control-Allow-Origin.
func FuzzCORS(f *testing.F) {
	for _, s := range [][4]string{
		{"OPTIONS", "https://app.example.com", "PUT", "content-type"},
		{"OPTIONS", "https://a.tenant.example.com", "DELETE", "authorization, x-evil"},
		{"GET", "null", "", ""},
		{"POST", "https://app.example.com.evil.com", "", ""},
		{"OPTIONS", "https://APP.example.com", "put", ",,,"},
		{"OPTIONS", "https://x.tenant.example.com:443", "GET", ""},
		{"GET", "https://x..tenant.example.com", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	c, err := headers.NewCORS(headers.CORSConfig{
		AllowedOrigins:        []string{"https://app.example.com"},
		AllowedOriginPatterns: []string{"https://*.tenant.example.com"},
		AllowCredentials:      true,
		AllowedMethods:        []string{"PUT"},
		AllowedHeaders:        []string{"Content-Type"},
	})
	if err != nil {
		f.Fatal(err)
	}
	handler := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	f.Fuzz(func(t *testing.T, method, origin, reqMethod, reqHeaders string) {
		if method == "" || strings.ContainsAny(method, " \r\n") {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "https://api.example.com/", nil)
		r.Method = method
		r.Header.Set("Origin", origin)
		if reqMethod != "" {
			r.Header.Set("Access-Control-Request-Method", reqMethod)
		}
		if reqHeaders != "" {
			r.Header.Set("Access-Control-Request-Headers", reqHeaders)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, r)
		acao := rec.Header().Values("Access-Control-Allow-Origin")
		if len(acao) == 0 {
			return
		}
		if len(acao) != 1 || acao[0] != origin || !c.Allowed(origin) {
			t.Fatalf("Origin %q got Access-Control-Allow-Origin %q", origin, acao)
		}
		if origin != "https://app.example.com" && !strings.HasSuffix(origin, ".tenant.example.com") {
			t.Fatalf("Origin %q is outside the configuration but was allowed", origin)
		}
	})
}
