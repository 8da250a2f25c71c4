// HTTP side of RefreshTokens: the refresh endpoint and token delivery.

package authn

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
)

// refreshMaxBody bounds the form body read by the refresh endpoint.
const refreshMaxBody = 4 << 10

// refreshResponse is the RFC 6749 section 5.1 token response.
type refreshResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// WriteGrant sends a grant to the client: the refresh token in an HttpOnly,
// Secure, SameSite=Strict cookie (or in the body with
// InsecureBodyDelivery), and a JSON body {"access_token", "token_type":
// "Bearer", "expires_in"} with Cache-Control: no-store (RFC 6749 section
// 5.1). Call it from the login handler with the grant of
// [RefreshTokens.Issue].
func (t *RefreshTokens) WriteGrant(w http.ResponseWriter, g RefreshGrant) error {
	now := t.now()
	resp := refreshResponse{
		AccessToken: g.AccessToken.Reveal(),
		TokenType:   "Bearer",
		ExpiresIn:   int64(g.AccessExpiresAt.Sub(now) / 1e9),
	}
	if t.body {
		resp.RefreshToken = g.RefreshToken.Reveal()
	} else {
		t.cookie.set(w, g.RefreshToken, now, g.RefreshExpiresAt)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, err = w.Write(b)
	return err
}

// requestToken returns the refresh token a request presents.
func (t *RefreshTokens) requestToken(w http.ResponseWriter, r *http.Request) (string, bool) {
	if t.body {
		r.Body = http.MaxBytesReader(w, r.Body, refreshMaxBody)
		if err := r.ParseForm(); err != nil {
			return "", false
		}
		v := r.PostForm["refresh_token"]
		if len(v) != 1 {
			return "", false
		}
		return v[0], true
	}
	return sessionCookieValue(r.Header, t.cookie.name)
}

// Handler returns the refresh endpoint: a POST with the refresh cookie (or
// the "refresh_token" form field with InsecureBodyDelivery) gets a new
// grant via [RefreshTokens.WriteGrant]. A refused token gets 400
// {"error":"invalid_grant"} (RFC 6749 section 5.2), the same for every
// reason, its cookie deleted, and is reported to OnInvalid. A store
// failure gets 503. In InsecureCookie mode, a request whose Host is not
// loopback gets 403 and its token is left unused.
func (t *RefreshTokens) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			refreshError(w, http.StatusMethodNotAllowed, "invalid_request")
			return
		}
		if !t.hostAllowed(r) {
			// InsecureCookie on a public host: refuse before the token
			// is used, so no new one travels in clear text.
			refreshError(w, http.StatusForbidden, "invalid_request")
			return
		}
		tok, ok := t.requestToken(w, r)
		if !ok {
			refreshError(w, http.StatusBadRequest, "invalid_request")
			return
		}
		g, err := t.Refresh(r.Context(), r, tok)
		var inv *RefreshInvalidError
		switch {
		case errors.As(err, &inv):
			t.onInvalid(r, inv.Reason, nil)
			if !t.body {
				t.cookie.del(w)
			}
			refreshError(w, http.StatusBadRequest, "invalid_grant")
		case err != nil:
			t.onInvalid(r, SessionReasonStore, err)
			refreshError(w, http.StatusServiceUnavailable, "temporarily_unavailable")
		default:
			_ = t.WriteGrant(w, g)
		}
	})
}

// RevokeRequest ends the family of the refresh token the request presents
// and deletes the refresh cookie: logout for API clients.
func (t *RefreshTokens) RevokeRequest(w http.ResponseWriter, r *http.Request) error {
	tok, ok := t.requestToken(w, r)
	if !t.body {
		t.cookie.del(w)
	}
	if !ok {
		return nil
	}
	return t.Revoke(r.Context(), tok)
}

func refreshError(w http.ResponseWriter, code int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(`{"error":"` + msg + `"}`))
}
