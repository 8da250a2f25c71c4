package authn_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

var (
	approvalKeyOld = authn.NewApprovalKey(bytes.Repeat([]byte{0x11}, 32))
	approvalKeyNew = authn.NewApprovalKey(bytes.Repeat([]byte{0x22}, 32))
)

func newTestApprovals(t *testing.T, clock *tokenClock, keys ...authn.ApprovalKey) *authn.Approvals {
	t.Helper()
	a, err := authn.NewApprovals(authn.ApprovalConfig{Keys: keys, Now: clock.Now})
	require.NoError(t, err)
	return a
}

func TestApprovalSignAndVerify(t *testing.T) {
	clock := newTokenClock()
	a := newTestApprovals(t, clock, approvalKeyNew)
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "agent-payment", Subject: "action-123", TTL: 10 * time.Minute})
	require.NoError(t, err)
	_, err = base64.RawURLEncoding.DecodeString(link)
	require.NoError(t, err, "links are URL-safe base64")

	got, err := a.Verify("agent-payment", link)
	require.NoError(t, err)
	require.Equal(t, "agent-payment", got.Purpose)
	require.Equal(t, "action-123", got.Subject)
	require.False(t, got.SingleUse)
	require.Equal(t, clock.Now().Add(10*time.Minute).Unix(), got.ExpiresAt.Unix())
}

func TestApprovalExpiryAndPurpose(t *testing.T) {
	clock := newTokenClock()
	a := newTestApprovals(t, clock, approvalKeyNew)
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "delete-repo", Subject: "repo-9", TTL: time.Minute})
	require.NoError(t, err)
	steps := []struct {
		name    string
		wait    time.Duration
		purpose string
		want    error
	}{
		{"valid right away", 0, "delete-repo", nil},
		{"another purpose is invalid, not expired", 0, "transfer-money", authn.ErrApprovalInvalid},
		{"valid shortly before expiry", 58 * time.Second, "delete-repo", nil},
		{"expired afterwards", 2 * time.Second, "delete-repo", authn.ErrApprovalExpired},
		{"still expired later", time.Hour, "delete-repo", authn.ErrApprovalExpired},
	}
	for _, s := range steps {
		clock.Advance(s.wait)
		_, err := a.Verify(s.purpose, link)
		if s.want == nil {
			require.NoError(t, err, s.name)
		} else {
			require.ErrorIs(t, err, s.want, s.name)
		}
	}
}

func TestApprovalTamperingIsDetected(t *testing.T) {
	clock := newTokenClock()
	a := newTestApprovals(t, clock, approvalKeyNew)
	for _, single := range []bool{false, true} {
		link, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "action-1", SingleUse: single})
		require.NoError(t, err)
		raw, err := base64.RawURLEncoding.DecodeString(link)
		require.NoError(t, err)
		for i := range raw {
			for _, bit := range []byte{0x01, 0x80} {
				mod := bytes.Clone(raw)
				mod[i] ^= bit
				_, err := a.Verify("p", base64.RawURLEncoding.EncodeToString(mod))
				require.ErrorIs(t, err, authn.ErrApprovalInvalid, "flipping bit %#x of byte %d", bit, i)
			}
		}
		for _, cut := range []int{1, 32, len(raw) - 1} {
			_, err := a.Verify("p", base64.RawURLEncoding.EncodeToString(raw[:len(raw)-cut]))
			require.ErrorIs(t, err, authn.ErrApprovalInvalid, "truncated by %d", cut)
		}
		_, err = a.Verify("p", base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw), 0)))
		require.ErrorIs(t, err, authn.ErrApprovalInvalid, "extended")
	}
	for _, junk := range []string{"", "!!!", "AAAA", strings.Repeat("A", 5000)} {
		_, err := a.Verify("p", junk)
		require.ErrorIs(t, err, authn.ErrApprovalInvalid, "%.20q", junk)
	}
}

func TestApprovalKeyRotation(t *testing.T) {
	clock := newTokenClock()
	before := newTestApprovals(t, clock, approvalKeyOld)
	during := newTestApprovals(t, clock, approvalKeyNew, approvalKeyOld)
	after := newTestApprovals(t, clock, approvalKeyNew)
	req := authn.ApprovalRequest{Purpose: "p", Subject: "s"}

	oldLink, err := before.Sign(req)
	require.NoError(t, err)
	newLink, err := during.Sign(req)
	require.NoError(t, err)

	_, err = during.Verify("p", oldLink)
	require.NoError(t, err, "links signed with the old key verify during rotation")
	_, err = after.Verify("p", newLink)
	require.NoError(t, err, "the newest key signs")
	_, err = before.Verify("p", newLink)
	require.ErrorIs(t, err, authn.ErrApprovalInvalid, "the old key did not sign the new link")
	_, err = after.Verify("p", oldLink)
	require.ErrorIs(t, err, authn.ErrApprovalInvalid, "a dropped key verifies nothing")
}

func TestApprovalSingleUse(t *testing.T) {
	ctx := context.Background()
	clock := newTokenClock()
	a := newTestApprovals(t, clock, approvalKeyNew)
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s", SingleUse: true})
	require.NoError(t, err)

	for range 3 {
		got, err := a.Verify("p", link)
		require.NoError(t, err, "Verify never consumes")
		require.True(t, got.SingleUse)
	}
	_, err = a.Redeem(ctx, "p", link)
	require.NoError(t, err)
	_, err = a.Redeem(ctx, "p", link)
	require.ErrorIs(t, err, authn.ErrApprovalUsed)

	multi, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s"})
	require.NoError(t, err)
	for range 2 {
		_, err = a.Redeem(ctx, "p", multi)
		require.NoError(t, err, "links without SingleUse redeem until they expire")
	}
}

func TestApprovalConcurrentRedeemSucceedsOnce(t *testing.T) {
	ctx := context.Background()
	a := newTestApprovals(t, newTokenClock(), approvalKeyNew)
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s", SingleUse: true})
	require.NoError(t, err)
	var wins, used int
	for _, err := range raceCalls(16, func() error {
		_, err := a.Redeem(ctx, "p", link)
		return err
	}) {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, authn.ErrApprovalUsed):
			used++
		}
	}
	require.Equal(t, 1, wins)
	require.Equal(t, 15, used)
}

func TestNewApprovalsValidates(t *testing.T) {
	cases := map[string]authn.ApprovalConfig{
		"no keys":                {},
		"a 31-byte key":          {Keys: []authn.ApprovalKey{authn.NewApprovalKey(make([]byte, 31))}},
		"a short old key":        {Keys: []authn.ApprovalKey{approvalKeyNew, authn.NewApprovalKey([]byte("short"))}},
		"a negative maximum TTL": {Keys: []authn.ApprovalKey{approvalKeyNew}, MaxTTL: -time.Second},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := authn.NewApprovals(cfg)
			require.ErrorContains(t, err, "ApprovalConfig.")
		})
	}
}

func TestApprovalSignValidates(t *testing.T) {
	a := authn.MustNewApprovals(authn.ApprovalConfig{Keys: []authn.ApprovalKey{approvalKeyNew}, MaxTTL: time.Hour})
	for name, req := range map[string]authn.ApprovalRequest{
		"no purpose":        {Subject: "s"},
		"no subject":        {Purpose: "p"},
		"long purpose":      {Purpose: strings.Repeat("p", 65), Subject: "s"},
		"long subject":      {Purpose: "p", Subject: strings.Repeat("s", 513)},
		"TTL above maximum": {Purpose: "p", Subject: "s", TTL: 2 * time.Hour},
		"negative TTL":      {Purpose: "p", Subject: "s", TTL: -time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.Sign(req)
			require.ErrorContains(t, err, "ApprovalRequest.")
		})
	}
}

func TestApprovalKeysAreCopied(t *testing.T) {
	key := bytes.Repeat([]byte{0x33}, 32)
	a := authn.MustNewApprovals(authn.ApprovalConfig{Keys: []authn.ApprovalKey{authn.NewApprovalKey(key)}})
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s"})
	require.NoError(t, err)
	clear(key) // the caller wiping its buffer must not change the verifier
	_, err = a.Verify("p", link)
	require.NoError(t, err)
}

func TestApprovalLinksHaveOneSpelling(t *testing.T) {
	a := newTestApprovals(t, newTokenClock(), approvalKeyNew)
	link, err := a.Sign(authn.ApprovalRequest{Purpose: "p", Subject: "s"})
	require.NoError(t, err)
	for _, variant := range []string{link[:10] + "\n" + link[10:], link + "\r\n", link + "="} {
		_, err := a.Verify("p", variant)
		require.ErrorIs(t, err, authn.ErrApprovalInvalid, "%q", variant)
	}
}

func TestApprovalKeysNeverPrint(t *testing.T) {
	raw := []byte("a secret key that is 32 bytes ok")
	key := authn.NewApprovalKey(raw)
	cfg := authn.ApprovalConfig{Keys: []authn.ApprovalKey{key}}
	a := authn.MustNewApprovals(cfg)
	js, err := json.Marshal(cfg.Keys)
	require.NoError(t, err)
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("cfg", "key", key, "cfg", cfg)
	for name, out := range map[string]string{
		"%v cfg": fmt.Sprintf("%v", cfg), "%+v cfg": fmt.Sprintf("%+v", cfg), "%#v cfg": fmt.Sprintf("%#v", cfg),
		"%x key": fmt.Sprintf("%x", key), "%s key": fmt.Sprintf("%s", key), "%v approvals": fmt.Sprintf("%v", a),
		"%+v approvals": fmt.Sprintf("%+v", a), "json": string(js), "slog": logBuf.String(),
	} {
		require.NotContains(t, out, "secret key", name)
		require.NotContains(t, out, fmt.Sprintf("%x", raw), name)
		require.NotContains(t, out, fmt.Sprint(raw[:4]), name)
		require.Contains(t, out, "[REDACTED]", name)
	}
}
