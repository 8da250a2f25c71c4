package sealbox

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFromBytesRejectsShortSecrets(t *testing.T) {
	for _, n := range []int{0, 1, 16, 31} {
		k, err := FromBytes(make([]byte, n))
		assert.Nil(t, k, "%d bytes", n)
		assert.ErrorIs(t, err, ErrShortSecret, "%d bytes", n)
	}
	for _, n := range []int{32, 33, 64, 200} {
		k, err := FromBytes(make([]byte, n))
		require.NoError(t, err, "%d bytes", n)
		assert.NotNil(t, k)
	}
}

func TestFromBytesDoesNotKeepTheSecret(t *testing.T) {
	secret := []byte(strings.Repeat("k", 32))
	k, err := FromBytes(secret)
	require.NoError(t, err)
	want := k.ID()
	for i := range secret {
		secret[i] = 'x'
	}
	r := newTestRing(t, k)
	ct, err := r.Seal([]byte("v"), nil)
	require.NoError(t, err)

	same, err := FromBytes([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	assert.Equal(t, want, same.ID())
	pt, err := newTestRing(t, same).Open(ct, nil)
	require.NoError(t, err, "key still uses the original secret after the caller's slice changed")
	assert.Equal(t, "v", string(pt))
}

func TestParseKeyAcceptsEveryDocumentedForm(t *testing.T) {
	secret := byteRange(0xa0, 0xcf) // 48 bytes, contains bytes giving '+', '/', '-', '_'
	want, err := FromBytes(secret)
	require.NoError(t, err)

	tests := []struct {
		name, text string
	}{
		{"bare lower-case hex", hex.EncodeToString(secret)},
		{"bare upper-case hex", strings.ToUpper(hex.EncodeToString(secret))},
		{"hex with prefix", "hex:" + hex.EncodeToString(secret)},
		{"URL-safe base64 without padding", base64.RawURLEncoding.EncodeToString(secret)},
		{"standard base64 with padding", base64.StdEncoding.EncodeToString(secret)},
		{"standard base64 without padding", base64.RawStdEncoding.EncodeToString(secret)},
		{"base64 with prefix", "base64:" + base64.StdEncoding.EncodeToString(secret)},
		{"trailing newline from a file", base64.RawURLEncoding.EncodeToString(secret) + "\n"},
		{"surrounding spaces", "  " + hex.EncodeToString(secret) + " "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.text)
			require.NoError(t, err)
			assert.Equal(t, want.ID(), k.ID(), "same secret, same key")
		})
	}
}

func TestParseKeyRejectsBadText(t *testing.T) {
	short := make([]byte, 31)
	tests := []struct {
		name, text string
		want       error
	}{
		{"empty", "", ErrInvalidKeyText},
		{"only spaces", "   ", ErrInvalidKeyText},
		{"31 bytes of hex", hex.EncodeToString(short), ErrShortSecret},
		{"31 bytes of base64", base64.StdEncoding.EncodeToString(short), ErrShortSecret},
		{"a password", "correct horse battery staple", ErrInvalidKeyText},
		{"odd-length hex with prefix", "hex:abc", ErrInvalidKeyText},
		{"mixed base64 alphabets", strings.Repeat("ab+-", 12), ErrInvalidKeyText},
		{"hex digits forced to base64 decode to 24 bytes", "base64:" + hex.EncodeToString(make([]byte, 16)), ErrShortSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.text)
			assert.Nil(t, k)
			assert.ErrorIs(t, err, tt.want)
			if strings.TrimSpace(tt.text) != "" {
				assert.NotContains(t, err.Error(), strings.TrimSpace(tt.text), "error must not echo the key text")
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	secret, err := GenerateSecret()
	require.NoError(t, err)
	want, err := ParseKey(secret)
	require.NoError(t, err)

	t.Setenv("SEALBOX_TEST_SECRET", secret)
	k, err := FromEnv("SEALBOX_TEST_SECRET")
	require.NoError(t, err)
	assert.Equal(t, want.ID(), k.ID())

	t.Setenv("SEALBOX_TEST_EMPTY", "")
	_, err = FromEnv("SEALBOX_TEST_EMPTY")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SEALBOX_TEST_EMPTY")

	_, err = FromEnv("SEALBOX_TEST_UNSET_VARIABLE")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SEALBOX_TEST_UNSET_VARIABLE")

	t.Setenv("SEALBOX_TEST_SHORT", "hunter2-hunter2-hunter2")
	_, err = FromEnv("SEALBOX_TEST_SHORT")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestGenerateSecret(t *testing.T) {
	a, err := GenerateSecret()
	require.NoError(t, err)
	b, err := GenerateSecret()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	raw, err := base64.RawURLEncoding.DecodeString(a)
	require.NoError(t, err, "URL-safe unpadded base64")
	assert.Len(t, raw, MinSecretSize)
	_, err = ParseKey(a)
	require.NoError(t, err)
}
