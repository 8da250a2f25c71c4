package authn_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

func TestSessionTokenIsRedacted(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	tok, s, err := m.Issue(t.Context(), nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	secret := tok.Reveal()
	require.Len(t, secret, 43)

	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("issued", "token", tok)
	js, err := json.Marshal(struct{ T authn.SessionToken }{tok})
	require.NoError(t, err)
	for name, out := range map[string]string{
		"%v":          fmt.Sprintf("%v", tok),
		"%s":          fmt.Sprintf("%s", tok),
		"%q":          fmt.Sprintf("%q", tok),
		"%x":          fmt.Sprintf("%x", tok),
		"%#v":         fmt.Sprintf("%#v", tok),
		"%+v struct":  fmt.Sprintf("%+v", struct{ T authn.SessionToken }{tok}),
		"slog":        logBuf.String(),
		"json":        string(js),
		"String()":    tok.String(),
		"GoString()":  tok.GoString(),
		"session %+v": fmt.Sprintf("%+v", s),
	} {
		require.NotContains(t, out, secret, name)
		if name != "session %+v" {
			require.Contains(t, out, "[REDACTED]", name)
		}
	}
}

func TestSessionIDIsTheHashOfTheToken(t *testing.T) {
	m := authn.MustNewSessions(authn.SessionConfig{})
	tok, s, err := m.Issue(t.Context(), nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(tok.Reveal())
	require.NoError(t, err)
	require.Len(t, raw, 32, "256-bit tokens")
	require.Equal(t, authn.SessionID(sha256.Sum256(raw)), s.ID, "the stored key is SHA-256 of the token bytes")

	got, err := m.Validate(t.Context(), tok.Reveal())
	require.NoError(t, err)
	require.Equal(t, s.ID, got.ID)

	id, err := authn.ParseSessionID(s.ID.String())
	require.NoError(t, err)
	require.Equal(t, s.ID, id)
	for _, bad := range []string{"", "abc", strings.Repeat("A", 42) + "B", strings.Repeat("A", 44), strings.Repeat("+", 43)} {
		_, err := authn.ParseSessionID(bad)
		require.Error(t, err, "ParseSessionID(%q)", bad)
	}
}

func TestSessionMethodMFALevel(t *testing.T) {
	for _, tc := range []struct {
		m    authn.SessionMethod
		want int
	}{
		{0, 0},
		{authn.SessionPassword, 1},
		{authn.SessionTOTP, 1},
		{authn.SessionWebAuthn, 1},
		{authn.SessionEmailLink, 1},
		{authn.SessionPassword | authn.SessionEmailLink, 1},
		{authn.SessionPassword | authn.SessionTOTP, 2},
		{authn.SessionPassword | authn.SessionBackupCode, 2},
		{authn.SessionEmailLink | authn.SessionWebAuthn, 2},
		{authn.SessionPassword | authn.SessionTOTP | authn.SessionBackupCode, 2},
		// Two possession factors are one factor kind ("something you
		// have"); NIST SP 800-63B AAL2 needs two distinct factors.
		{authn.SessionTOTP | authn.SessionBackupCode, 1},
		{authn.SessionWebAuthn | authn.SessionTOTP, 1},
		{authn.SessionTOTP | authn.SessionBackupCode | authn.SessionWebAuthn, 1},
	} {
		require.Equal(t, tc.want, tc.m.MFALevel(), "SessionMethod(%b).MFALevel()", tc.m)
	}
}
