package argon2

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every implementation does the same work: it writes an argon2id PHC string
// with the same parameters and salt and key sizes, and every
// implementation's hash verifies under every other implementation, which
// is only possible if each derived the same key from the same inputs.
func TestImplementationsDoTheSameWork(t *testing.T) {
	impls, err := Impls()
	require.NoError(t, err)
	require.Len(t, impls, len(Names()))
	const pw = "correct horse battery staple"
	hashes := map[string]string{}
	for _, name := range Names() {
		h, err := impls[name].Hash(pw)
		require.NoError(t, err, name)
		require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), "%s: %s", name, h)
		parts := strings.Split(h, "$")
		require.Len(t, parts, 6, name)
		require.Len(t, parts[4], 22, "%s: 16-byte salt", name)
		require.Len(t, parts[5], 43, "%s: 32-byte key", name)
		hashes[name] = h
	}
	for _, verifier := range Names() {
		for _, maker := range Names() {
			ok, err := impls[verifier].Verify(pw, hashes[maker])
			require.NoError(t, err)
			require.True(t, ok, "%s verifies %s's hash", verifier, maker)
			ok, err = impls[verifier].Verify(pw+"!", hashes[maker])
			require.NoError(t, err)
			require.False(t, ok, "%s rejects a wrong password for %s's hash", verifier, maker)
		}
	}
}
