package main

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/bulwark-go/bulwark/headers"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// pageData is what every template receives. Nonce must be put on every
// inline <script>; the Content-Security-Policy refuses any script without it.
type pageData struct {
	Nonce   string
	Title   string
	Message string
}

// newServer assembles the application: routes on a standard ServeMux,
// CSRF protection around the mux, security headers around everything.
func newServer(log *slog.Logger) (http.Handler, error) {
	sec, err := headers.New(headers.Config{})
	if err != nil {
		return nil, err
	}
	csrf, err := headers.NewCSRF(headers.CSRFConfig{})
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	render := func(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
		d.Nonce = headers.Nonce(r.Context())
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		if err := pages.ExecuteTemplate(w, name, d); err != nil {
			log.Error("render", "template", name, "err", err)
		}
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, http.StatusOK, "login.html", pageData{Title: "Sign in"})
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// Accounts arrive with the authn package; until then every attempt
		// gets the same generic answer a real login failure would get.
		render(w, r, http.StatusUnauthorized, "login.html", pageData{
			Title: "Sign in", Message: "Invalid email or password.",
		})
	})
	mux.HandleFunc("GET /nonce", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, http.StatusOK, "nonce.html", pageData{Title: "CSP nonce demo"})
	})
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})

	return sec.Handler(csrf.Handler(mux)), nil
}
