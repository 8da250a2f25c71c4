package sealbox

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func byteRange(from, to byte) []byte {
	var b []byte
	for c := int(from); c <= int(to); c++ {
		b = append(b, byte(c))
	}
	return b
}

// RFC 5869 Appendix A, SHA-256 test cases 1-3, run through the derivation
// sealbox uses: stdlib HKDF-Extract for the PRK and the pooled, precomputed
// HMAC state for HKDF-Expand. Our expand produces one 32-byte block, so it is
// compared with the first 32 bytes of each OKM.
func TestExpandMatchesRFC5869(t *testing.T) {
	tests := []struct {
		name            string
		ikm, salt, info []byte
		prk, okm        string
	}{
		{
			name: "test case 1: basic",
			ikm:  unhex(t, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
			salt: unhex(t, "000102030405060708090a0b0c"),
			info: unhex(t, "f0f1f2f3f4f5f6f7f8f9"),
			prk:  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
			okm:  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
		},
		{
			name: "test case 2: longer inputs",
			ikm:  byteRange(0x00, 0x4f),
			salt: byteRange(0x60, 0xaf),
			info: byteRange(0xb0, 0xff),
			prk:  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
			okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
				"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
				"cc30c58179ec3e87c14c01d5c1f3434f1d87",
		},
		{
			name: "test case 3: zero-length salt and info",
			ikm:  unhex(t, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
			prk:  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
			okm:  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prk, err := hkdf.Extract(sha256.New, tt.ikm, tt.salt)
			require.NoError(t, err)
			require.Equal(t, tt.prk, hex.EncodeToString(prk), "PRK")

			st := newKeyState(prk)
			got := st.expand(tt.info)
			assert.Equal(t, tt.okm[:64], hex.EncodeToString(got[:]), "expand(PRK, info)")
			// A second call reuses the pooled, already-used HMAC state.
			again := st.expand(tt.info)
			assert.Equal(t, got, again, "second expand with a reused state")
		})
	}
}

// The per-message key must be exactly HKDF-Expand(PRK, label || salt, 32) as
// computed by crypto/hkdf, for many random salts and with pooled states that
// have been used before.
func TestMessageKeyMatchesHKDFExpand(t *testing.T) {
	secret := make([]byte, 48)
	_, _ = rand.Read(secret)
	k, err := FromBytes(secret)
	require.NoError(t, err)

	prk, err := hkdf.Extract(sha256.New, secret, []byte("bulwark sealbox v1 extract"))
	require.NoError(t, err)

	for i := range 200 {
		salt := make([]byte, saltSize)
		_, _ = rand.Read(salt)
		want, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1"+string(salt), 32)
		require.NoError(t, err)

		s := k.st.get()
		s.messageKey(salt)
		got := s.key
		k.st.put(s)
		require.Equal(t, want, got[:], "message key %d", i)
	}
}

func TestKeyIDIsDerivedFromTheSecret(t *testing.T) {
	secret := byteRange(0x00, 0x1f)
	k, err := FromBytes(secret)
	require.NoError(t, err)

	prk, err := hkdf.Extract(sha256.New, secret, []byte("bulwark sealbox v1 extract"))
	require.NoError(t, err)
	id, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1 key id", 4)
	require.NoError(t, err)
	assert.Equal(t, binary.BigEndian.Uint32(id), k.ID())

	other, err := FromBytes(byteRange(0x01, 0x20))
	require.NoError(t, err)
	assert.NotEqual(t, k.ID(), other.ID(), "different secrets, different IDs")
}
