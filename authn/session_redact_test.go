package authn_test

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

// Session, access and refresh tokens must not print in any form, including
// when they sit in an unexported field of an application's struct.
func TestSessionTokensNeverPrint(t *testing.T) {
	sessions := authn.MustNewSessions(authn.SessionConfig{AllowBearer: true})
	r := httptest.NewRequest("POST", "https://app.example/login", nil)
	tok, sess, err := sessions.Issue(context.Background(), r, authn.SessionLogin{UserID: "u1", Methods: authn.SessionPassword})
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(tok.Reveal())
	require.NoError(t, err)
	require.Len(t, raw, 32)

	refresh, err := authn.NewRefreshTokens(authn.RefreshConfig{Sessions: sessions})
	require.NoError(t, err)
	grant, err := refresh.Issue(context.Background(), r, authn.SessionLogin{UserID: "u1", Methods: authn.SessionPassword})
	require.NoError(t, err)
	access, err := base64.RawURLEncoding.DecodeString(grant.AccessToken.Reveal())
	require.NoError(t, err)
	rt, err := base64.RawURLEncoding.DecodeString(grant.RefreshToken.Reveal())
	require.NoError(t, err)

	requireNoSecret(t,
		[][]byte{[]byte(tok.Reveal()), raw, []byte(grant.AccessToken.Reveal()), access, []byte(grant.RefreshToken.Reveal()), rt},
		map[string]any{
			"SessionToken":   tok,
			"*SessionToken":  &tok,
			"[]SessionToken": []authn.SessionToken{tok},
			"Session":        sess,
			"RefreshGrant":   grant,
			"*RefreshGrant":  &grant,
		})
}

func TestZeroSessionToken(t *testing.T) {
	var tok authn.SessionToken
	require.True(t, tok.IsZero())
	require.Equal(t, "", tok.Reveal())
}
