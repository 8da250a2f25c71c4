package totp_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

func TestParseSecret(t *testing.T) {
	// "12345678901234567890" in base32 (RFC 4648), the RFC 6238 SHA1 seed.
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tc := range []struct {
		name  string
		input string
		ok    bool
	}{
		{"canonical base32 is accepted", seed, true},
		{"lower case is accepted", strings.ToLower(seed), true},
		{"spaces between groups are accepted", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", true},
		{"dashes are accepted", "GEZD-GNBV-GY3T-QOJQ-GEZD-GNBV-GY3T-QOJQ", true},
		{"trailing padding is accepted", seed + "====", true},
		{"padding in the middle is rejected", "GEZDGNBV=GY3TQOJQGEZDGNBVGY3TQOJQ", false},
		{"an empty secret is rejected", "", false},
		{"a digit outside base32 is rejected", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", false},
		{"a short secret is rejected", "GEZDGNBVGY3TQOJQ", false},
		{"a very long input is rejected", strings.Repeat("A", 600), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := totp.ParseSecret(tc.input)
			if !tc.ok {
				assert.ErrorIs(t, err, totp.ErrInvalidSecret)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []byte("12345678901234567890"), s.Bytes())
		})
	}
}

func TestSecretFromBytes(t *testing.T) {
	_, err := totp.SecretFromBytes(make([]byte, 15))
	assert.ErrorIs(t, err, totp.ErrInvalidSecret, "a 120-bit secret is too short")
	_, err = totp.SecretFromBytes(make([]byte, 129))
	assert.ErrorIs(t, err, totp.ErrInvalidSecret, "a 129-byte secret is too long")

	in := []byte("12345678901234567890")
	s, err := totp.SecretFromBytes(in)
	require.NoError(t, err)
	in[0] = 'x'
	assert.Equal(t, []byte("12345678901234567890"), s.Bytes(), "SecretFromBytes must copy its input")
	out := s.Bytes()
	out[0] = 'y'
	assert.Equal(t, []byte("12345678901234567890"), s.Bytes(), "Bytes must return a copy")
	assert.Equal(t, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", s.Base32())
}

// Nothing that holds a secret prints it: not through fmt verbs, not nested in
// a struct, not through slog or encoding/json.
func TestSecretsNeverPrint(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example"})
	e, err := v.Enroll("alice")
	require.NoError(t, err)
	secret := e.Secret()
	key := bytes.Repeat([]byte("K"), 32)
	bc, err := totp.NewBackupCodes(totp.BackupConfig{Key: key, Store: totp.NewMemoryStore()})
	require.NoError(t, err)

	forbidden := []string{secret.Base32(), string(secret.Bytes()), fmt.Sprint(secret.Bytes()), "KKKKKKKK", fmt.Sprint(key[:8])[1:12]}
	values := map[string]any{
		"Secret":        secret,
		"*Secret":       &secret,
		"*Enrollment":   e,
		"*BackupCodes":  bc,
		"nested struct": struct{ S totp.Secret }{secret},
	}
	for name, val := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs = append(outs, fmt.Sprintf(verb, val))
		}
		var logBuf bytes.Buffer
		slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("msg", "v", val)
		outs = append(outs, logBuf.String())
		logBuf.Reset()
		slog.New(slog.NewTextHandler(&logBuf, nil)).Info("msg", "v", val)
		outs = append(outs, logBuf.String())
		j, err := json.Marshal(val)
		require.NoError(t, err)
		outs = append(outs, string(j))
		if tm, ok := val.(encoding.TextMarshaler); ok {
			txt, err := tm.MarshalText()
			require.NoError(t, err)
			outs = append(outs, string(txt))
		}
		for _, out := range outs {
			for _, f := range forbidden {
				assert.NotContains(t, out, f, "%s printed a secret: %s", name, out)
			}
			assert.Contains(t, out, "REDACTED", "%s: %s", name, out)
		}
	}
}
