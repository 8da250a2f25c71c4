package totp_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

func TestEnrollURI(t *testing.T) {
	for _, tc := range []struct {
		alg        totp.Algorithm
		digits     int
		secretLen  int
		wantDigits string
	}{
		{totp.SHA1, 0, 20, "6"},
		{totp.SHA256, 8, 32, "8"},
		{totp.SHA512, 8, 64, "8"},
	} {
		t.Run(tc.alg.String(), func(t *testing.T) {
			v := totp.MustNew(totp.Config{Issuer: "Example Corp", Algorithm: tc.alg, Digits: tc.digits})
			e, err := v.Enroll("alice@example.com")
			require.NoError(t, err)

			assert.Len(t, e.Secret().Bytes(), tc.secretLen, "secret length in bytes")
			u, err := url.Parse(e.URI())
			require.NoError(t, err)
			assert.Equal(t, "otpauth", u.Scheme)
			assert.Equal(t, "totp", u.Host)
			assert.Equal(t, "/Example Corp:alice@example.com", u.Path)
			q := u.Query()
			assert.Equal(t, "Example Corp", q.Get("issuer"))
			assert.Equal(t, tc.alg.String(), q.Get("algorithm"))
			assert.Equal(t, tc.wantDigits, q.Get("digits"))
			assert.Equal(t, "30", q.Get("period"))
			parsed, err := totp.ParseSecret(q.Get("secret"))
			require.NoError(t, err)
			assert.Equal(t, e.Secret().Bytes(), parsed.Bytes(), "URI secret differs from Enrollment.Secret")
		})
	}
}

func TestEnrollMakesFreshSecrets(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example"})
	seen := map[string]bool{}
	for range 50 {
		e, err := v.Enroll("alice")
		require.NoError(t, err)
		s := e.Secret().Base32()
		require.False(t, seen[s], "secret repeated")
		seen[s] = true
	}
}

func TestEnrollQRCode(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example", QRSize: 200})
	e, err := v.Enroll("alice")
	require.NoError(t, err)

	b, err := e.QRCodePNG()
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 200, img.Bounds().Dx())
	assert.Equal(t, 200, img.Bounds().Dy())

	d, err := e.QRCodeDataURL()
	require.NoError(t, err)
	const prefix = "data:image/png;base64,"
	require.True(t, strings.HasPrefix(string(d), prefix))
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(string(d), prefix))
	require.NoError(t, err)
	_, err = png.Decode(bytes.NewReader(raw))
	assert.NoError(t, err)
}

// The smallest allowed QR code holds the longest URI Enroll can make.
func TestEnrollQRCodeFitsTheLongestURI(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: strings.Repeat("é", 50), Algorithm: totp.SHA512, QRSize: 160})
	e, err := v.Enroll(strings.Repeat("é", 100))
	require.NoError(t, err)
	b, err := e.QRCodePNG()
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Equal(t, 160, img.Bounds().Dx())
}

func TestEnrollRejectsBadAccounts(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example"})
	for _, tc := range []struct{ name, account string }{
		{"an empty account is rejected", ""},
		{"a colon is rejected", "alice:admin"},
		{"a newline is rejected", "alice\nbob"},
		{"a DEL byte is rejected", "alice\x7f"},
		{"invalid UTF-8 is rejected", "alice\xff"},
		{"a C1 control is rejected", "alice\u0085"},
		{"a 201-byte account is rejected", strings.Repeat("a", 201)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := v.Enroll(tc.account)
			assert.ErrorIs(t, err, totp.ErrInvalidAccount)
			assert.Nil(t, e)
		})
	}
}

// The enrolment flow: nothing is active until a code from the app verifies,
// and the confirming code cannot be reused for the first login.
func TestConfirmEnrollment(t *testing.T) {
	ctx := context.Background()
	c := newClock(t0)
	v := totp.MustNew(totp.Config{Issuer: "Example", Now: c.Now})
	e, err := v.Enroll("alice@example.com")
	require.NoError(t, err)
	raw := e.Secret().Bytes()

	// The app stores raw (encrypted) and loads it back for the confirmation.
	secret := mustSecret(t, raw)
	assert.ErrorIs(t, v.ConfirmEnrollment(ctx, "alice", secret, wrong), totp.ErrInvalidCode)
	code := refCode(raw, totp.SHA1, 6, t0)
	require.NoError(t, v.ConfirmEnrollment(ctx, "alice", secret, code))
	assert.ErrorIs(t, v.Verify(ctx, "alice", secret, code), totp.ErrReplayedCode)

	c.Set(t0.Add(totp.Period))
	assert.NoError(t, v.Verify(ctx, "alice", secret, refCode(raw, totp.SHA1, 6, t0.Add(totp.Period))))
}

func TestAlgorithmString(t *testing.T) {
	assert.Equal(t, "SHA1", totp.SHA1.String())
	assert.Equal(t, "SHA256", totp.SHA256.String())
	assert.Equal(t, "SHA512", totp.SHA512.String())
	assert.Equal(t, "Algorithm(9)", totp.Algorithm(9).String())
}
