package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fmt prints unexported struct fields by reflection, without calling the
// field's Format method, and follows pointers for verbs such as %s. A Key
// kept in an unexported field (an application's logger struct), a
// ChainSink printed while debugging, or a Logger wrapping one must still
// never show the key bytes in any encoding.
func TestChainKeyNeverPrintsThroughReflection(t *testing.T) {
	secret := []byte("chain-key-secret-0123456789abcdefXYZ")
	k := MustKey("k1", secret)
	chain, err := NewChain(ChainConfig{Writer: io.Discard, Key: k})
	require.NoError(t, err)
	require.NoError(t, chain.Write(t.Context(), Event{Action: "a.b"}))
	logger, err := New(Config{Sink: chain})
	require.NoError(t, err)

	type appLogger struct {
		key   Key
		keys  []Key
		chain *ChainSink
	}
	values := []struct {
		name string
		v    any
	}{
		{"a struct with a Key in an unexported field", appLogger{key: k, keys: []Key{k}, chain: chain}},
		{"a pointer to that struct", &appLogger{key: k, keys: []Key{k}, chain: chain}},
		{"a ChainSink", chain},
		{"a dereferenced ChainSink", struct{ c *ChainSink }{chain}},
		{"a Logger over a chain", logger},
		{"a ChainConfig", ChainConfig{Writer: io.Discard, Key: k}},
		{"a VerifyConfig", VerifyConfig{Keys: []Key{k}}},
		{"a Key", k},
	}
	dec := fmt.Sprint(secret)
	forbidden := []string{
		string(secret[:16]),
		dec[1:40],
		hex.EncodeToString(secret[:8]),
		strings.ToUpper(hex.EncodeToString(secret[:8])),
		base64.StdEncoding.EncodeToString(secret)[:16],
	}
	// An HMAC's state holds the key XORed with the ipad and opad bytes
	// and, once used, the SHA-256 midstates after hashing those blocks
	// (crypto/hmac keeps them marshaled): either is as good as the key.
	for _, pad := range []byte{0x36, 0x5c} {
		x := bytes.Clone(secret)
		for i := range x {
			x[i] ^= pad
		}
		d := fmt.Sprint(x)
		forbidden = append(forbidden, d[1:40], hex.EncodeToString(x[:8]), string(x[:16]))
		block := append(x, bytes.Repeat([]byte{pad}, sha256.BlockSize-len(x))...)
		h := sha256.New()
		h.Write(block)
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		require.NoError(t, err)
		mid := state[4:36] // after the "sha\x03" magic
		d = fmt.Sprint(mid)
		forbidden = append(forbidden, d[1:40], hex.EncodeToString(mid[:8]), strings.ToUpper(hex.EncodeToString(mid[:8])))
	}
	for _, tc := range values {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs = append(outs, fmt.Sprintf(verb, tc.v))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", tc.v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", tc.v)
		outs = append(outs, buf.String())
		if j, err := json.Marshal(tc.v); err == nil {
			outs = append(outs, string(j))
		}
		for _, out := range outs {
			for _, f := range forbidden {
				require.NotContains(t, out, f, "%s printed the chain key", tc.name)
			}
		}
	}
}
