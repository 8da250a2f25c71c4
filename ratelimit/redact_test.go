package ratelimit_test

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/internal/leaktest"
	"github.com/bulwark-go/bulwark/ratelimit"
)

// A FormKeyConfig carries the HMAC secret; printing the config in a
// start-up log must not disclose it in any form.
func TestFormKeyConfigNeverPrintsTheSecret(t *testing.T) {
	secret := []byte("S3CRET-hmac-key-for-rate-limits!")
	cfg := ratelimit.FormKeyConfig{Field: "email", Secret: secret, MaxBodyBytes: 1024}
	// Six bytes are eight base64 characters, a prefix of the whole
	// secret's encoding (as encoding/json writes a []byte).
	leaks := []string{
		string(secret[:6]), hex.EncodeToString(secret[:6]), strings.ToUpper(hex.EncodeToString(secret[:6])), "83 51 67 82",
		base64.StdEncoding.EncodeToString(secret[:6]), base64.RawURLEncoding.EncodeToString(secret[:6]),
	}
	leaks = append(leaks, leaktest.Forms(secret)...)
	var outs []string
	for _, v := range []any{cfg, &cfg, []ratelimit.FormKeyConfig{cfg}, map[string]any{"cfg": cfg}} {
		for _, out := range leaktest.Direct(v) {
			outs = append(outs, out)
		}
		// The encoders must accept the config, not just stay silent.
		b, err := json.Marshal(v)
		require.NoError(t, err)
		outs = append(outs, string(b))
		b, err = xml.Marshal(v)
		if _, isMap := v.(map[string]any); !isMap { // encoding/xml cannot encode maps
			require.NoError(t, err)
			outs = append(outs, string(b))
		}
	}
	for _, out := range outs {
		for _, leak := range leaks {
			assert.NotContains(t, out, leak)
		}
	}
	assert.Contains(t, fmt.Sprint(cfg), "email", "the harmless fields should still print")
}
