package opaque

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type key struct {
	raw []byte
	txt string
}

// The motivating failure: fmt follows a pointer held in an unexported
// field for verbs other than %v, and prints every field it finds.
func TestPointerFieldsLeakButBoxesDoNot(t *testing.T) {
	secret := key{raw: []byte("raw-secret-bytes"), txt: "TEXTSECRET"}
	type viaPointer struct{ k *key }
	type viaBox struct{ k Box[key] }

	verbS := []string{"%s"}[0] // not a constant, so vet lets the bad verb through
	leaked := fmt.Sprintf(verbS, viaPointer{&secret})
	require.Contains(t, leaked, "TEXTSECRET", "premise: fmt follows pointers for %%s")

	for _, v := range []any{viaBox{New(secret)}, &viaBox{New(secret)}, []viaBox{{New(secret)}}, New(secret)} {
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%p", "%T"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v)
		slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v)
		outs = append(outs, buf.String())
		if j, err := json.Marshal(v); err == nil {
			outs = append(outs, string(j))
		}
		for _, out := range outs {
			assert.NotContains(t, out, "TEXTSECRET")
			assert.NotContains(t, out, "raw-secret")
			assert.NotContains(t, out, fmt.Sprint(secret.raw[:4])[1:10])
			assert.NotContains(t, out, "7261772d") // hex of "raw-"
		}
	}
}

func TestBoxGet(t *testing.T) {
	b := New(key{txt: "x"})
	require.NotNil(t, b.Get())
	assert.Equal(t, "x", b.Get().txt)
	c := b
	assert.Same(t, b.Get(), c.Get(), "copies share the value")
	var zero Box[key]
	assert.Nil(t, zero.Get())
}
