package headers

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

var names = []string{"bulwark", "unrolled"}

func impl(t testing.TB, name string, read Handler) http.Handler {
	if name == "unrolled" {
		return Unrolled(read)
	}
	h, err := Bulwark(read)
	require.NoError(t, err)
	return h
}

func httpsRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	r.TLS = &tls.ConnectionState{}
	return r
}

// TestSameHeaders checks that both implementations send the same header
// set for the same request, with only the nonce (and its base64 padding,
// which unrolled omits) differing, and that the nonce in the header is the
// one the handler sees.
func TestSameHeaders(t *testing.T) {
	got := map[string]http.Header{}
	for _, name := range names {
		var nonce string
		h := impl(t, name, func(n string) { nonce = n })
		w := &Recorder{H: http.Header{}}
		h.ServeHTTP(w, httpsRequest())
		require.NotEmpty(t, nonce, name)
		csp := w.H.Get("Content-Security-Policy")
		require.Contains(t, csp, "'nonce-"+nonce+"'", name)
		w.H.Set("Content-Security-Policy", strings.Replace(csp, nonce, "NONCE", 1))
		got[name] = w.H
	}
	if diff := cmp.Diff(got["bulwark"], got["unrolled"]); diff != "" {
		t.Errorf("header sets differ (-bulwark +unrolled):\n%s", diff)
	}
	require.Len(t, got["bulwark"], 8)
}

func BenchmarkHeaders(b *testing.B) {
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			var sink string
			h := impl(b, name, func(n string) { sink = n })
			r := httpsRequest()
			w := &Recorder{H: make(http.Header, 16)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.H)
				h.ServeHTTP(w, r)
			}
			_ = sink
		})
	}
}
