package totp_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/leaktest"
	"github.com/bulwark-go/bulwark/totp"
)

// Structs that hold a secret in an unexported field, or a dereferenced
// pointer type, are printed by fmt through reflection without calling the
// field's String or Format method: the secret must not be reachable that
// way either. (BackupConfig.Key is a plain []byte, so a BackupConfig kept
// in an unexported field is the documented exception.)
func TestSecretsNeverPrintThroughReflection(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example"})
	enr, err := v.Enroll("alice")
	require.NoError(t, err)
	secret := enr.Secret()
	parsed, err := totp.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	require.NoError(t, err)
	key := []byte("backup-code-hmac-key-0123456789abcdef")
	cfg := totp.BackupConfig{Key: key, Store: totp.NewMemoryStore()}
	bc, err := totp.NewBackupCodes(cfg)
	require.NoError(t, err)

	type holder struct {
		secret totp.Secret
		parsed totp.Secret
		enr    totp.Enrollment
		bc     totp.BackupCodes
	}
	type exported struct {
		Cfg totp.BackupConfig
		Enr *totp.Enrollment
	}
	values := []struct {
		name string
		v    any
	}{
		{"a struct with secrets in unexported fields", holder{secret, parsed, *enr, *bc}},
		{"a pointer to that struct", &holder{secret, parsed, *enr, *bc}},
		{"a dereferenced Enrollment", *enr},
		{"a dereferenced BackupCodes", *bc},
		{"a BackupConfig", cfg},
		{"a pointer to a BackupConfig", &cfg},
		{"a struct with exported config fields", exported{cfg, enr}},
		{"a slice of secrets", []totp.Secret{secret, parsed}},
		{"a map of secrets", map[string]totp.Secret{"a": secret}},
	}
	var forbidden []string
	for _, raw := range [][]byte{secret.Bytes(), parsed.Bytes(), key} {
		forbidden = append(forbidden, leaktest.Forms(raw)...)
	}
	forbidden = append(forbidden, enr.URI())
	for _, tc := range values {
		for _, out := range leaktest.Direct(tc.v) {
			for _, f := range forbidden {
				require.NotContains(t, out, f, "%s printed a secret", tc.name)
			}
		}
	}
}

// A BackupConfig prints its non-secret settings, so redaction does not
// make configuration logs useless.
func TestBackupConfigPrintsSettingsButNotTheKey(t *testing.T) {
	cfg := totp.BackupConfig{Key: bytes.Repeat([]byte{0xAB}, 32), Count: 12, MaxFailures: 3}
	for _, out := range leaktest.Direct(cfg) {
		assert.Contains(t, out, "REDACTED", out)
	}
	assert.Contains(t, fmt.Sprintf("%+v", cfg), "Count:12")
	assert.Contains(t, fmt.Sprint(cfg), "MaxFailures:3")
}

// Text encoders other than JSON use MarshalText, which must not write the
// key either.
func TestBackupConfigMarshalTextOmitsTheKey(t *testing.T) {
	key := []byte("backup-code-hmac-key-0123456789abcdef")
	out, err := totp.BackupConfig{Key: key, Count: 12}.MarshalText()
	require.NoError(t, err)
	assert.Contains(t, string(out), "Key:[REDACTED]")
	assert.Contains(t, string(out), "Count:12")
	for _, f := range leaktest.Forms(key) {
		assert.NotContains(t, string(out), f)
	}
}

// Secret stays non-comparable: == on secrets would compare in variable
// time, or (with a pointer inside) compare identity instead of value.
func TestSecretEqualityUsesBytes(t *testing.T) {
	a, err := totp.ParseSecret("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
	require.NoError(t, err)
	b, err := totp.SecretFromBytes(a.Bytes())
	require.NoError(t, err)
	assert.Equal(t, a.Bytes(), b.Bytes())
	assert.Equal(t, a.Base32(), b.Base32())
	assert.False(t, a.IsZero())
	assert.True(t, totp.Secret{}.IsZero())
	assert.Empty(t, totp.Secret{}.Bytes())
	assert.Empty(t, totp.Secret{}.Base32())
}

// The zero Enrollment is empty, not a panic.
func TestZeroEnrollmentIsEmpty(t *testing.T) {
	var e totp.Enrollment
	assert.Empty(t, e.URI())
	assert.True(t, e.Secret().IsZero())
	_, err := e.QRCodePNG()
	assert.Error(t, err)
	_, err = e.QRCodeDataURL()
	assert.Error(t, err)
}
