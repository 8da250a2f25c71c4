package main

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/headers"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func parsePages() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"roles": func() []string { return []string{"viewer", "member", "admin", "owner"} },
	}).ParseFS(templateFS, "templates/*.html")
}

// pageData is what every template receives. Nonce must be put on every
// inline <script>; the Content-Security-Policy refuses any script without it.
type pageData struct {
	Nonce   string
	Title   string
	Message string // success notice
	Error   string // problem with the request, shown in an alert
	User    *user  // signed-in user, nil when anonymous
	Local   bool
	Data    any
}

func (a *app) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	d.Nonce = headers.Nonce(r.Context())
	d.Local = a.cfg.Local
	if d.User == nil {
		if uid, ok := a.userID(r); ok {
			if u, found, err := a.db.userByID(r.Context(), uid); err == nil && found {
				d.User = &u
			}
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := a.pages.ExecuteTemplate(w, name, d); err != nil {
		a.log.Error("render", "template", name, "err", err)
	}
}

func (a *app) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	a.render(w, r, status, "error.html", pageData{Title: http.StatusText(status), Error: msg})
}

// serverError logs err (never shown to the client) and answers 500. The
// logged path is auditPath's: no approval-link token.
func (a *app) serverError(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("request failed", "path", auditPath(r), "err", err)
	a.errorPage(w, r, http.StatusInternalServerError, "Something went wrong. Try again.")
}

// redirect answers a POST with 303 See Other, so reloading the result page
// does not resubmit the form.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// redirectToSignIn sends anonymous browsers to the sign-in page with a
// return path (only ever a local path, see localPath).
func (a *app) redirectToSignIn(w http.ResponseWriter, r *http.Request) {
	to := "/signin"
	if r.Method == http.MethodGet {
		to += "?next=" + url.QueryEscape(r.URL.Path)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		a.errorPage(w, r, http.StatusUnauthorized, "Please sign in.")
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localPath accepts only a same-site absolute path, so ?next= cannot turn
// sign-in into an open redirect ("//evil.example", "/\evil.example",
// "https://evil.example" are all refused): authn.SessionReturnPath, plus a
// refusal of anything net/url cannot parse (a malformed %-escape).
func localPath(p string) string {
	p = authn.SessionReturnPath(p)
	if _, err := url.Parse(p); err != nil {
		return "/"
	}
	return p
}
