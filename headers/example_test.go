package headers_test

import (
	"fmt"
	"html/template"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"

	"github.com/bulwark-go/bulwark/headers"
)

// The zero Config is the safe default. Templates get the request's nonce
// with headers.Nonce.
func Example() {
	h, err := headers.New(headers.Config{})
	if err != nil {
		log.Fatal(err)
	}
	csrf, err := headers.NewCSRF(headers.CSRFConfig{})
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("page").Parse(
		`<script nonce="{{.}}">console.log("allowed")</script>`))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		_ = page.Execute(w, headers.Nonce(r.Context()))
	})
	app := h.Handler(csrf.Handler(mux))

	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Header().Get("X-Frame-Options"))
	fmt.Println(rec.Header().Get("Cross-Origin-Opener-Policy"))
	fmt.Println(len(headers.Nonce(httptest.NewRequest(http.MethodGet, "/", nil).Context())))
	// Output:
	// DENY
	// same-origin
	// 0
}

// A policy for a site that loads images and styles from a CDN and reports
// violations.
func ExamplePolicy() {
	p := headers.DefaultPolicy()
	p[headers.ImgSrc] = []headers.Source{headers.Self, "https://cdn.example.com"}
	p[headers.StyleSrc] = []headers.Source{headers.Self, "https://cdn.example.com"}
	p[headers.ReportTo] = []headers.Source{"csp"}
	if err := p.Validate(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p)

	bad := headers.Policy{headers.ScriptSrc: {headers.Self, headers.UnsafeInline}}
	fmt.Println(bad.Validate())
	// Output:
	// default-src 'self'; script-src 'nonce-{per-request}' 'strict-dynamic'; style-src 'self' https://cdn.example.com; img-src 'self' https://cdn.example.com; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; report-to csp
	// headers: invalid content security policy: script-src: 'unsafe-inline' without a nonce or hash allows every injected inline script
}

// Behind a TLS-terminating proxy, list it in TrustedProxies so HSTS is
// sent and plain HTTP is redirected.
func ExampleNew_behindProxy() {
	h, err := headers.New(headers.Config{
		TrustedProxies:     []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		RedirectHTTP:       true,
		RedirectHost:       "example.com",
		HSTS:               headers.HSTS{Preload: true},
		ReportingEndpoints: map[string]string{"csp": "/csp-reports"},
		CSPReportOnly: headers.Policy{
			headers.DefaultSrc: {headers.None},
			headers.ScriptSrc:  {headers.RequestNonce},
			headers.ReportTo:   {"csp"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	app := h.Handler(http.NotFoundHandler())

	r := httptest.NewRequest(http.MethodGet, "/login", nil)
	r.RemoteAddr = "10.0.0.7:41000"
	r.Header.Set("X-Forwarded-Proto", "https")
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	fmt.Println(rec.Header().Get("Strict-Transport-Security"))

	r.Header.Set("X-Forwarded-Proto", "http")
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output:
	// max-age=63072000; includeSubDomains; preload
	// 301 https://example.com/login
}

// One route that a partner site may frame gets its own policy.
func ExampleHeaders_WithCSP() {
	site, err := headers.New(headers.Config{})
	if err != nil {
		log.Fatal(err)
	}
	p := headers.DefaultPolicy()
	p[headers.FrameAncestors] = []headers.Source{"https://partner.example"}
	widget, err := site.WithCSP(p)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /widget", widget.Handler(http.NotFoundHandler()))
	_ = http.ListenAndServe("127.0.0.1:0", site.Handler(mux)) // example only
}

// A JSON API read by a front-end on another origin with cookies.
func ExampleNewCORS() {
	cors, err := headers.NewCORS(headers.CORSConfig{
		AllowedOrigins:   []string{"https://app.example.com"},
		AllowCredentials: true,
		AllowedMethods:   []string{"GET", "POST", "DELETE"},
		AllowedHeaders:   []string{"Content-Type"},
	})
	if err != nil {
		log.Fatal(err)
	}
	api := cors.Handler(http.NotFoundHandler())

	r := httptest.NewRequest(http.MethodOptions, "/items/1", nil)
	r.Header.Set("Origin", "https://app.example.com")
	r.Header.Set("Access-Control-Request-Method", "DELETE")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, r)
	h := rec.Result().Header
	for _, k := range slices.Sorted(maps.Keys(h)) {
		fmt.Printf("%s: %s\n", k, h.Get(k))
	}
	// Output:
	// Access-Control-Allow-Credentials: true
	// Access-Control-Allow-Headers: content-type
	// Access-Control-Allow-Methods: GET, POST, DELETE
	// Access-Control-Allow-Origin: https://app.example.com
	// Access-Control-Max-Age: 600
	// Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
}

// Cross-origin form posts are refused; webhooks that authenticate by
// signature are exempted explicitly.
func ExampleNewCSRF() {
	csrf, err := headers.NewCSRF(headers.CSRFConfig{
		InsecureBypassPatterns: []string{"POST /webhooks/{provider}"},
	})
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "https://example.com/transfer", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	fmt.Println(csrf.Check(r))
	// Output:
	// headers: cross-origin request rejected: cross-origin request detected from Sec-Fetch-Site header
}

// Authenticated pages must not be cached.
func ExampleNoStore() {
	account := headers.NoStore(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "your account")
	}))
	rec := httptest.NewRecorder()
	account.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/account", nil))
	fmt.Println(rec.Header().Get("Cache-Control"))
	// Output: no-store
}

// A fixed inline script can be allowed by its hash instead of a nonce,
// for example on a page that is cached.
func ExampleHashSource() {
	script := []byte("alert('Hello, world.');")
	p := headers.Policy{
		headers.DefaultSrc: {headers.Self},
		headers.ScriptSrc:  {headers.HashSource(script)},
		headers.ObjectSrc:  {headers.None},
		headers.BaseURI:    {headers.None},
	}
	fmt.Println(p.Validate())
	fmt.Println(p)
	// Output:
	// <nil>
	// default-src 'self'; script-src 'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='; object-src 'none'; base-uri 'none'
}
