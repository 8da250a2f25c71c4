package authn_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/internal/leaktest"
)

// requireNoSecret formats every value in every way a program might log it
// (leaktest.All: each fmt verb, directly, in struct fields exported and
// not, behind pointers; slog's JSON and text handlers; encoding/json and
// encoding/xml). None of the outputs may contain any secret, raw or
// encoded (leaktest.Forms).
func requireNoSecret(t *testing.T, secrets [][]byte, values map[string]any) {
	t.Helper()
	forbidden := leaktest.Forms(secrets...)
	for name, v := range values {
		leaktest.Check(t, name, leaktest.All(v), forbidden)
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
