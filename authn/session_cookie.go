// Reading session tokens from requests and writing session cookies.

package authn

import (
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// sessionCookieValue returns the value of the first cookie called name in
// the request's Cookie header lines, without allocating. It follows the
// RFC 6265 section 5.4 serialisation ("a=b; c=d"), tolerates missing
// spaces, and returns ok=false when there is no such cookie. The value is
// returned verbatim (a quoted value keeps its quotes and so fails token
// parsing).
func sessionCookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			part, line, _ = strings.Cut(line, ";")
			part = strings.TrimLeft(part, " \t")
			k, v, ok := strings.Cut(part, "=")
			if ok && k == name {
				return strings.TrimRight(v, " \t"), true
			}
		}
	}
	return "", false
}

// sessionBearer returns the token of an "Authorization: Bearer <token>"
// header (RFC 6750 section 2.1; the scheme is case-insensitive). present
// reports whether a Bearer credential was sent at all, so that a malformed
// one can be reported; several Authorization headers are refused.
func sessionBearer(h http.Header) (token string, present bool) {
	vals := h["Authorization"]
	if len(vals) == 0 {
		return "", false
	}
	v := vals[0]
	if len(v) < 7 || !strings.EqualFold(v[:7], "bearer ") {
		return "", false
	}
	if len(vals) > 1 {
		return "", true
	}
	return strings.Trim(v[7:], " "), true
}

// sessionCookieSpec is a precomputed cookie: name and attribute suffix.
type sessionCookieSpec struct {
	name       string // full name, including any __Host-/__Secure- prefix
	attrs      string // "; Path=/; HttpOnly; Secure; SameSite=Lax"
	clear      string // complete Set-Cookie value that deletes the cookie
	persistent bool
	insecure   bool
}

func newSessionCookieSpec(base, path string, sameSite http.SameSite, persistent, insecure bool) sessionCookieSpec {
	name := base
	if !insecure {
		if path == "/" {
			name = "__Host-" + base
		} else {
			name = "__Secure-" + base
		}
	}
	attrs := "; Path=" + path + "; HttpOnly"
	if !insecure {
		attrs += "; Secure"
	}
	if sameSite == http.SameSiteStrictMode {
		attrs += "; SameSite=Strict"
	} else {
		attrs += "; SameSite=Lax"
	}
	return sessionCookieSpec{
		name:       name,
		attrs:      attrs,
		clear:      name + "=" + attrs + "; Max-Age=0",
		persistent: persistent,
		insecure:   insecure,
	}
}

// set writes the cookie carrying tok, valid until expires when persistent,
// and marks the response uncacheable.
func (c *sessionCookieSpec) set(w http.ResponseWriter, tok SessionToken, now, expires time.Time) {
	v := c.name + "=" + tok.Reveal() + c.attrs
	if c.persistent {
		v += "; Max-Age=" + strconv.FormatInt(int64(expires.Sub(now)/time.Second), 10)
	}
	h := w.Header()
	h.Add("Set-Cookie", v)
	h.Set("Cache-Control", "no-store")
}

// del writes a Set-Cookie header that deletes the cookie.
func (c *sessionCookieSpec) del(w http.ResponseWriter) {
	h := w.Header()
	h.Add("Set-Cookie", c.clear)
	h.Set("Cache-Control", "no-store")
}

// sessionLoopbackHost reports whether the request's Host names this
// machine: localhost, *.localhost, or a loopback address.
func sessionLoopbackHost(host string) bool {
	if h, _, ok := strings.Cut(host, "]"); ok && strings.HasPrefix(h, "[") {
		host = h[1:]
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// sessionCookieBase validates a configured cookie name, which excludes the
// prefix added by newSessionCookieSpec; a leading "__Host-" is tolerated
// and dropped. field names the configuration field in the error.
func sessionCookieBase(field, name, def string) (string, error) {
	if name == "" {
		name = def
	}
	name = strings.TrimPrefix(name, "__Host-")
	if !sessionValidCookieName(name) || strings.HasPrefix(name, "__") {
		return "", errors.New("authn: " + field + " must be a cookie token of letters, digits, '-', '_' or '.' without a __ prefix")
	}
	return name, nil
}

// sessionValidCookieName reports whether s is a non-empty RFC 6265 token of
// letters, digits, '-', '_' and '.'.
func sessionValidCookieName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
