package sealbox

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// noPanic runs f and fails the test with the panic value if it panics.
func noPanic(t *testing.T, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panicked: %v", r)
		}
	}()
	f()
}

// A Keyring not built by New holds no key: every operation must fail with
// an error rather than panic on a nil pointer.
func TestZeroAndNilKeyringsReturnErrors(t *testing.T) {
	k, _ := newTestKey(t)
	good := newTestRing(t, k)
	ct, err := good.Seal([]byte("token"), nil)
	require.NoError(t, err)
	for name, r := range map[string]*Keyring{"a zero Keyring": {}, "a nil *Keyring": nil} {
		t.Run(name, func(t *testing.T) {
			noPanic(t, func() {
				_, err := r.Seal([]byte("x"), nil)
				require.ErrorIs(t, err, errZeroKeyring, "Seal")
				_, err = r.SealText(NewSecret("x"), nil)
				require.ErrorIs(t, err, errZeroKeyring, "SealText")
				_, err = r.Open(ct, nil)
				require.ErrorIs(t, err, ErrDecrypt, "Open")
				_, err = r.OpenText(EncodeText(ct), nil)
				require.ErrorIs(t, err, ErrDecrypt, "OpenText")
				_, err = r.Rotate(ct, nil)
				require.ErrorIs(t, err, ErrDecrypt, "Rotate")
				require.False(t, r.NeedsRotation(ct), "NeedsRotation")
				require.Zero(t, r.PrimaryID(), "PrimaryID")
				items := func(yield func(Item, error) bool) { yield(Item{Ref: "a", Ciphertext: ct}, nil) }
				sum, err := r.RewrapAll(context.Background(), items,
					func(context.Context, Item, []byte) error { return nil }, nil)
				require.NoError(t, err)
				require.Equal(t, 1, sum.Failed, "RewrapAll")
				require.Equal(t, "[REDACTED]", fmt.Sprint(r))
			})
		})
	}
}
