package headers

import "net/http"

// NoStore returns middleware that sets Cache-Control: no-store, so neither
// the browser nor any shared cache keeps a copy of the response. Wrap
// every handler that serves authenticated or personal data with it: after
// logout, the back button or a shared computer's cache must not show the
// previous user's pages. A handler may still replace the header.
func NoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Cache-Control"] = []string{"no-store"} // the response's own, so an edit stays in it
		next.ServeHTTP(w, r)
	})
}
