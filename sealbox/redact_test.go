package sealbox

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/leaktest"
)

// render prints v every way a program might (leaktest.All: fmt verbs,
// slog text and JSON handlers, encoding/json and encoding/xml, also nested
// in structs with exported and unexported fields and behind pointers),
// and its type.
func render(t *testing.T, v any) string {
	t.Helper()
	var out strings.Builder
	fmt.Fprintf(&out, "%T\n", v)
	for _, s := range leaktest.All(v) {
		out.WriteString(s)
		out.WriteByte('\n')
	}
	_, err := json.Marshal(map[string]any{"v": v, "nested": struct{ V any }{v}})
	require.NoError(t, err, "encoding/json must accept the value")
	return out.String()
}

func TestSecretNeverPrintsItsValue(t *testing.T) {
	const token = "sk_live_SECRETVALUE_0123456789"
	s := NewSecret(token)
	type holder struct {
		Token  Secret
		hidden Secret
	}
	for name, v := range map[string]any{
		"value":                   s,
		"pointer":                 &s,
		"struct with both fields": holder{Token: s, hidden: s},
		"pointer to that struct":  &holder{Token: s, hidden: s},
	} {
		t.Run(name, func(t *testing.T) {
			out := render(t, v)
			assert.NotContains(t, out, "SECRETVALUE")
			assert.NotContains(t, out, fmt.Sprintf("%x", token)[:20], "hex of the value")
			assert.Contains(t, out, "[REDACTED]")
		})
	}
	assert.Equal(t, token, s.Reveal())
}

func TestKeyAndKeyringNeverPrintKeyMaterial(t *testing.T) {
	secret := bytes.Repeat([]byte{0xAB}, 32)
	k, err := FromBytes(secret)
	require.NoError(t, err)
	r := newTestRing(t, k)
	prk, err := hkdf.Extract(sha256.New, secret, []byte(extractSalt))
	require.NoError(t, err)
	prkHex := fmt.Sprintf("%x", prk[:8])
	prkDec := strings.Trim(fmt.Sprint(prk[:4]), "[]")

	for name, v := range map[string]any{
		"*Key":           k,
		"Key value":      *k,
		"*Keyring":       r,
		"Keyring value":  *r,
		"Config":         Config{Primary: k, Previous: []*Key{k}},
		"pointer Config": &Config{Primary: k},
	} {
		t.Run(name, func(t *testing.T) {
			out := strings.ToLower(render(t, v))
			assert.NotContains(t, out, "abababab", "master secret bytes")
			assert.NotContains(t, out, prkHex, "PRK bytes")
			assert.NotContains(t, out, "171 171", "secret as decimal bytes")
			assert.NotContains(t, out, "171, 171", "secret as decimal bytes")
			assert.NotContains(t, out, prkDec, "PRK as decimal bytes")
		})
	}
}

func TestSecretEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b Secret
		want bool
	}{
		{"same value", NewSecret("abc"), NewSecret("abc"), true},
		{"different value", NewSecret("abc"), NewSecret("abd"), false},
		{"prefix", NewSecret("abc"), NewSecret("ab"), false},
		{"zero and empty", Secret{}, NewSecret(""), true},
		{"zero and non-empty", Secret{}, NewSecret("a"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.a.Equal(tt.b))
			assert.Equal(t, tt.want, tt.b.Equal(tt.a))
		})
	}
	assert.True(t, Secret{}.IsZero())
	assert.Equal(t, "", Secret{}.Reveal())
	assert.False(t, NewSecret("x").IsZero())
}
