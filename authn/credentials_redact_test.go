package authn_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

// redactHolder reproduces the fmt pitfall: fmt cannot call String or Format
// on a value reached through an unexported field, so it prints the
// underlying representation instead. A secret type must hold its value
// behind a pointer (which fmt prints as an address) to survive this.
type redactHolder struct {
	v any
}

// redactVerbs are the verbs a careless log line might use.
var redactVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// requireNoSecret formats every value in every way a program might log it:
// each fmt verb, directly, behind a pointer, and behind an unexported field;
// slog's JSON and text handlers; encoding/json. None of the outputs may
// contain any secret, raw or in hex or base64.
func requireNoSecret(t *testing.T, secrets [][]byte, values map[string]any) {
	t.Helper()
	var forbidden []string
	for _, s := range secrets {
		for _, f := range []string{
			string(s), hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)),
			base64.StdEncoding.EncodeToString(s), base64.RawStdEncoding.EncodeToString(s),
			base64.URLEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s),
			strings.Trim(fmt.Sprint(s), "[]"), // []byte printed as decimal numbers
		} {
			if len(f) >= 8 {
				forbidden = append(forbidden, f)
			}
		}
	}
	for name, v := range values {
		outs := map[string]string{}
		for _, verb := range redactVerbs {
			outs[verb] = fmt.Sprintf(verb, v)
			outs[verb+" in unexported field"] = fmt.Sprintf(verb, redactHolder{v})
			outs[verb+" behind pointer in unexported field"] = fmt.Sprintf(verb, &redactHolder{v})
		}
		outs["Sprint"], outs["Sprintln"] = fmt.Sprint(v), fmt.Sprintln(v)
		for hname, h := range map[string]func(*bytes.Buffer) slog.Handler{
			"slog JSON": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(h(&buf)).Info("msg", "value", v, "held", redactHolder{v})
			outs[hname] = buf.String()
		}
		if js, err := json.Marshal(v); err == nil {
			outs["json"] = string(js)
		}
		if js, err := json.Marshal(map[string]any{"v": v}); err == nil {
			outs["json in map"] = string(js)
		}
		for how, out := range outs {
			for _, f := range forbidden {
				if strings.Contains(out, f) {
					t.Errorf("%s formatted with %s = %q, which contains the secret %q", name, how, out, f)
					break
				}
			}
		}
	}
}

func TestTokenValueNeverPrints(t *testing.T) {
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "reset"})
	tok, err := tokens.Issue(context.Background(), "u1")
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(tok.Value.Reveal())
	require.NoError(t, err)
	requireNoSecret(t, [][]byte{[]byte(tok.Value.Reveal()), raw}, map[string]any{
		"TokenValue":   tok.Value,
		"IssuedToken":  tok,
		"*IssuedToken": &tok,
		"[]TokenValue": []authn.TokenValue{tok.Value},
	})
}

func TestApprovalKeysNeverPrintInAnyForm(t *testing.T) {
	secret := []byte("approval key: 32 or more secret bytes")
	key := authn.NewApprovalKey(secret)
	cfg := authn.ApprovalConfig{Keys: []authn.ApprovalKey{key}}
	a := authn.MustNewApprovals(cfg)
	requireNoSecret(t, [][]byte{secret}, map[string]any{
		"ApprovalKey":     key,
		"[]ApprovalKey":   cfg.Keys,
		"ApprovalConfig":  cfg,
		"*ApprovalConfig": &cfg,
		"*Approvals":      a,
		"Approvals":       *a,
	})
}
