package authn_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/authn"
)

// zeroCall runs f in a goroutine and fails the test if f panics, or if it
// has not returned after a generous bound (a call that blocks forever is the
// failure being tested, not a timing assertion). f must report with assert,
// which is safe off the test goroutine, not require.
func zeroCall(t *testing.T, f func()) {
	t.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	select {
	case r := <-done:
		if r != nil {
			t.Fatalf("panicked: %v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("blocked: never returned")
	}
}

// Values not built by their constructors hold no configuration. They must
// refuse to work, with an error naming the constructor, and never accept a
// credential, hang or panic.
func TestZeroValuesFailClosed(t *testing.T) {
	ctx := context.Background()
	valid := authn.MustNewHasher(authn.HasherConfig{UnsafeWeakParameters: true, Memory: 64, Time: 1})
	hash, err := valid.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)

	for name, h := range map[string]*authn.Hasher{"a zero Hasher": {}, "a nil *Hasher": nil} {
		t.Run(name, func(t *testing.T) {
			zeroCall(t, func() {
				_, err := h.Hash(ctx, "")
				assert.ErrorContains(t, err, "NewHasher", "Hash of the empty password")
				_, err = h.Hash(ctx, "correct horse battery staple")
				assert.ErrorContains(t, err, "NewHasher", "Hash")
				assert.Error(t, h.Verify(ctx, "correct horse battery staple", hash), "Verify must not accept")
				_, _, err = authn.Authenticate(ctx, h, "correct horse battery staple",
					func(context.Context) (string, string, bool, error) { return "u", hash, true, nil })
				assert.Error(t, err, "Authenticate must not accept")
				assert.True(t, h.NeedsRehash(hash), "NeedsRehash")
			})
		})
	}
	for name, p := range map[string]*authn.Policy{"a zero Policy": {}, "a nil *Policy": nil} {
		t.Run(name, func(t *testing.T) {
			zeroCall(t, func() {
				assert.ErrorContains(t, p.Check("a long and unusual passphrase 7f3a"), "NewPolicy")
			})
		})
	}
	for name, tk := range map[string]*authn.Tokens{"a zero Tokens": {}, "a nil *Tokens": nil} {
		t.Run(name, func(t *testing.T) {
			zeroCall(t, func() {
				_, err := tk.Issue(ctx, "u1")
				assert.ErrorContains(t, err, "NewTokens", "Issue")
				_, err = tk.Consume(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
				assert.ErrorContains(t, err, "NewTokens", "Consume")
				assert.ErrorContains(t, tk.Revoke(ctx, "u1"), "NewTokens", "Revoke")
			})
		})
	}
	signer := authn.MustNewApprovals(authn.ApprovalConfig{Keys: []authn.ApprovalKey{approvalKeyNew}})
	link, err := signer.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s", SingleUse: true})
	require.NoError(t, err)
	for name, a := range map[string]*authn.Approvals{"a zero Approvals": {}, "a nil *Approvals": nil} {
		t.Run(name, func(t *testing.T) {
			zeroCall(t, func() {
				_, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s"})
				assert.ErrorContains(t, err, "NewApprovals", "Sign")
				_, err = a.Verify("p", link)
				assert.ErrorIs(t, err, authn.ErrApprovalInvalid, "Verify")
				_, err = a.Redeem(ctx, "p", link)
				assert.ErrorIs(t, err, authn.ErrApprovalInvalid, "Redeem")
				assert.Contains(t, fmt.Sprint(a), "[REDACTED]")
			})
		})
	}
}
