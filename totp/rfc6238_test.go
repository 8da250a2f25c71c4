package totp_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

// RFC 6238 Appendix B: every vector verifies through Verifier.Verify at its
// time, and not one step later with no skew.
func TestRFC6238VectorsVerify(t *testing.T) {
	ctx := context.Background()
	for _, v := range loadRFC6238(t) {
		t.Run(v.alg.String()+"/"+v.code, func(t *testing.T) {
			at := time.Unix(v.unix, 0).UTC()
			c := newClock(at)
			ver := totp.MustNew(totp.Config{Issuer: "RFC", Algorithm: v.alg, Digits: 8, Skew: totp.NoSkew, Now: c.Now})
			secret := mustSecret(t, rfcSeed(v.alg))

			require.NoError(t, ver.Verify(ctx, "u", secret, v.code), "Verify(vector at %d)", v.unix)

			c.Set(at.Add(totp.Period))
			err := ver.Verify(ctx, "other", secret, v.code)
			assert.ErrorIs(t, err, totp.ErrInvalidCode, "vector code one step later without skew")
		})
	}
}

// The same vectors hold with the default skew one step away, and are
// rejected two steps away.
func TestRFC6238VectorsWithinSkew(t *testing.T) {
	ctx := context.Background()
	for _, v := range loadRFC6238(t) {
		t.Run(v.alg.String()+"/"+v.code, func(t *testing.T) {
			secret := mustSecret(t, rfcSeed(v.alg))
			for _, tc := range []struct {
				offset time.Duration
				want   error
			}{
				{-totp.Period, nil},
				{totp.Period, nil},
				{2 * totp.Period, totp.ErrInvalidCode},
				{-2 * totp.Period, totp.ErrInvalidCode},
			} {
				at := time.Unix(v.unix, 0).Add(tc.offset)
				ver := totp.MustNew(totp.Config{Issuer: "RFC", Algorithm: v.alg, Digits: 8, Now: func() time.Time { return at }})
				err := ver.Verify(ctx, "u", secret, v.code)
				if tc.want == nil {
					assert.NoError(t, err, "Verify at vector time %+v", tc.offset)
				} else {
					assert.ErrorIs(t, err, tc.want, "Verify at vector time %+v", tc.offset)
				}
			}
		})
	}
}

func TestReferenceGeneratorMatchesRFC6238(t *testing.T) {
	for _, v := range loadRFC6238(t) {
		got := refCode(rfcSeed(v.alg), v.alg, 8, time.Unix(v.unix, 0))
		assert.Equal(t, v.code, got, "refCode(%s, %d)", v.alg, v.unix)
	}
}

// Codes made by an independent implementation, oathtool from OATH Toolkit,
// verify. The test skips when oathtool is not installed, except under CI.
func TestCodesFromOathtoolVerify(t *testing.T) {
	path, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("oathtool is required under CI (apt-get install -y oathtool)")
		}
		t.Skip("oathtool not installed (apt-get install -y oathtool)")
	}
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 19, 30, 7, 0, time.UTC)
	for _, tc := range []struct {
		alg    totp.Algorithm
		digits int
		mode   string
	}{
		{totp.SHA1, 6, "SHA1"},
		{totp.SHA1, 8, "SHA1"},
		{totp.SHA256, 6, "SHA256"},
		{totp.SHA256, 8, "SHA256"},
		{totp.SHA512, 8, "SHA512"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			ver := totp.MustNew(totp.Config{Issuer: "Example", Algorithm: tc.alg, Digits: tc.digits, Now: func() time.Time { return at }})
			e, err := ver.Enroll("alice@example.com")
			require.NoError(t, err)
			for i, offset := range []time.Duration{-totp.Period, 0, totp.Period} {
				// The secret goes through stdin ("-"), not the command line.
				cmd := exec.Command(path, "--totp="+tc.mode, "-b", "-d", string(rune('0'+tc.digits)),
					"--now", at.Add(offset).Format("2006-01-02 15:04:05 UTC"), "-")
				cmd.Stdin = strings.NewReader(e.Secret().Base32() + "\n")
				var out, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &stderr
				require.NoError(t, cmd.Run(), "oathtool: %s", stderr.String())
				code := strings.TrimSpace(out.String())
				require.Len(t, code, tc.digits)
				// Each step for a fresh user: earlier steps after later ones
				// would be replays by design.
				user := "alice" + string(rune('a'+i))
				assert.NoError(t, ver.Verify(ctx, user, e.Secret(), code), "oathtool code at %+v", offset)
			}
		})
	}
}
