package sealbox

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every implementation does the same work: it turns the same plaintext into
// a fresh randomised ciphertext that it alone opens back to that plaintext,
// and it rejects a ciphertext with a flipped bit.
func TestImplementationsDoTheSameWork(t *testing.T) {
	impls, err := Impls()
	require.NoError(t, err)
	require.Len(t, impls, len(Names()))
	for _, size := range []int{0, 64, 64 << 10} {
		pt := make([]byte, size)
		_, _ = rand.Read(pt)
		for _, name := range Names() {
			impl := impls[name]
			t.Run(fmt.Sprintf("%s %d bytes", name, size), func(t *testing.T) {
				a, err := impl.Seal(pt)
				require.NoError(t, err)
				b, err := impl.Seal(pt)
				require.NoError(t, err)
				require.NotEqual(t, a, b, "ciphertexts are randomised")
				require.Greater(t, len(a), size, "ciphertext carries an authenticator")

				got, err := impl.Open(a)
				require.NoError(t, err)
				require.True(t, bytes.Equal(pt, got), "round trip")

				mod := bytes.Clone(a)
				mod[len(mod)/2] ^= 0x04
				_, err = impl.Open(mod)
				require.Error(t, err, "a modified ciphertext must not open")

				for _, other := range Names() {
					if other != name {
						_, err := impls[other].Open(a)
						require.Error(t, err, "%s must not open %s's ciphertext", other, name)
					}
				}
			})
		}
	}
}
