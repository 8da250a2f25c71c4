package headers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/headers"
)

// panicMessage runs f and returns what it panicked with, or "" if it
// returned normally.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

// A middleware value that was not built by its constructor must not
// quietly serve responses without protection: wiring it up is a
// programming error, reported at start-up.
func TestZeroValuesRefuseToBuildAHandler(t *testing.T) {
	for name, wire := range map[string]func(){
		"a zero Headers": func() { (&headers.Headers{}).Handler(okHandler) },
		"a nil *Headers": func() { (*headers.Headers)(nil).Handler(okHandler) },
		"a zero CORS":    func() { (&headers.CORS{}).Handler(okHandler) },
		"a nil *CORS":    func() { (*headers.CORS)(nil).Handler(okHandler) },
		"a zero CSRF":    func() { (&headers.CSRF{}).Handler(okHandler) },
		"a nil *CSRF":    func() { (*headers.CSRF)(nil).Handler(okHandler) },
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, panicMessage(wire), "headers: ", "Handler must panic with a message naming the constructor")
		})
	}
}

func TestZeroValuesFailClosed(t *testing.T) {
	post := httptest.NewRequest(http.MethodPost, "https://example.com/", nil)
	post.Header.Set("Sec-Fetch-Site", "same-origin")
	for name, c := range map[string]*headers.CSRF{"a zero CSRF": {}, "a nil *CSRF": nil} {
		t.Run(name+" rejects every request", func(t *testing.T) {
			var err error
			require.Empty(t, panicMessage(func() { err = c.Check(post) }))
			require.ErrorIs(t, err, headers.ErrCrossOriginRequest)
		})
	}
	for name, c := range map[string]*headers.CORS{"a zero CORS": {}, "a nil *CORS": nil} {
		t.Run(name+" allows no origin", func(t *testing.T) {
			var ok bool
			require.Empty(t, panicMessage(func() { ok = c.Allowed("https://example.com") }))
			require.False(t, ok)
		})
	}
}
