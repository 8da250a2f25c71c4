// Package headers compares the bulwark headers middleware with
// github.com/unrolled/secure, configured to send the same header set:
// the strict default CSP with a per-request nonce, HSTS, X-Frame-Options,
// nosniff, Referrer-Policy, Permissions-Policy, COOP and CORP.
package headers

import (
	"net/http"
	"strings"

	"github.com/unrolled/secure"

	"github.com/bulwark-go/bulwark/headers"
)

// Handler is what each implementation wraps: it reads the nonce, as a
// template would.
type Handler func(nonce string)

// Bulwark returns the bulwark middleware with its zero Config around a
// handler that reads the nonce.
func Bulwark(read Handler) (http.Handler, error) {
	h, err := headers.New(headers.Config{})
	if err != nil {
		return nil, err
	}
	return h.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read(headers.Nonce(r.Context()))
	})), nil
}

// Unrolled returns unrolled/secure configured to send the same headers as
// Bulwark's zero Config.
func Unrolled(read Handler) http.Handler {
	csp := strings.ReplaceAll(headers.DefaultPolicy().String(), string(headers.RequestNonce), "$NONCE")
	s := secure.New(secure.Options{
		ContentSecurityPolicy:     csp,
		FrameDeny:                 true,
		ContentTypeNosniff:        true,
		ReferrerPolicy:            "strict-origin-when-cross-origin",
		PermissionsPolicy:         permissionsPolicy(),
		CrossOriginOpenerPolicy:   "same-origin",
		CrossOriginResourcePolicy: "same-origin",
		STSSeconds:                63072000,
		STSIncludeSubdomains:      true,
	})
	return s.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read(secure.CSPNonce(r.Context()))
	}))
}

// permissionsPolicy is bulwark's default Permissions-Policy, serialized the
// same way.
func permissionsPolicy() string {
	h, err := headers.New(headers.Config{})
	if err != nil {
		panic(err)
	}
	w := &Recorder{H: http.Header{}}
	h.Handler(http.NotFoundHandler()).ServeHTTP(w, &http.Request{Header: http.Header{}})
	return w.H.Get("Permissions-Policy")
}

// Recorder is a ResponseWriter whose header map the caller owns, so a
// benchmark can reuse it and measure the middleware rather than map
// growth.
type Recorder struct{ H http.Header }

func (r *Recorder) Header() http.Header         { return r.H }
func (r *Recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *Recorder) WriteHeader(int)             {}
