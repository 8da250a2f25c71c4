package authn_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/stretchr/testify/require"
)

// tokenClock is a manually advanced clock starting at the real current
// time, so that stores sweeping by the wall clock keep fake-future records.
type tokenClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTokenClock() *tokenClock { return &tokenClock{t: time.Now()} }

func (c *tokenClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *tokenClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// raceCalls runs f from n goroutines released at once and returns their
// errors.
func raceCalls(n int, f func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = f()
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// tokenStep is one step of a token scenario: wait, then issue a token for
// subject (stored under name) or consume a named token.
type tokenStep struct {
	wait    time.Duration
	issue   string // subject; the token is remembered as name
	revoke  string // subject whose tokens are revoked
	consume string // name of a previously issued token
	name    string
	want    string // subject expected from consume
	wantErr error
}

func runTokenSteps(t *testing.T, tokens *authn.Tokens, clock *tokenClock, steps []tokenStep) {
	t.Helper()
	ctx := context.Background()
	issued := map[string]string{}
	for i, s := range steps {
		clock.Advance(s.wait)
		switch {
		case s.issue != "":
			tok, err := tokens.Issue(ctx, s.issue)
			require.NoError(t, err, "step %d: Issue(%q)", i, s.issue)
			issued[s.name] = tok.Value.Reveal()
		case s.revoke != "":
			require.NoError(t, tokens.Revoke(ctx, s.revoke), "step %d", i)
		default:
			got, err := tokens.Consume(ctx, issued[s.consume])
			if s.wantErr != nil {
				require.ErrorIs(t, err, s.wantErr, "step %d: Consume(%s)", i, s.consume)
				continue
			}
			require.NoError(t, err, "step %d: Consume(%s)", i, s.consume)
			require.Equal(t, s.want, got, "step %d: Consume(%s)", i, s.consume)
		}
	}
}

func TestTokensLifecycle(t *testing.T) {
	cases := []struct {
		name  string
		cfg   authn.TokenConfig
		steps []tokenStep
	}{
		{"a token works once", authn.TokenConfig{}, []tokenStep{
			{issue: "u1", name: "a"},
			{consume: "a", want: "u1"},
			{consume: "a", wantErr: authn.ErrTokenInvalid},
		}},
		{"a token works until just before its expiry", authn.TokenConfig{TTL: time.Hour}, []tokenStep{
			{issue: "u1", name: "a"},
			{wait: time.Hour - time.Nanosecond, consume: "a", want: "u1"},
		}},
		{"a token expires at its TTL and is gone afterwards", authn.TokenConfig{TTL: time.Hour}, []tokenStep{
			{issue: "u1", name: "a"},
			{wait: time.Hour, consume: "a", wantErr: authn.ErrTokenExpired},
			{consume: "a", wantErr: authn.ErrTokenInvalid},
		}},
		{"a new token replaces the subject's older one", authn.TokenConfig{}, []tokenStep{
			{issue: "u1", name: "old"},
			{issue: "u2", name: "other"},
			{issue: "u1", name: "new"},
			{consume: "old", wantErr: authn.ErrTokenInvalid},
			{consume: "other", want: "u2"},
			{consume: "new", want: "u1"},
		}},
		{"KeepPrevious lets several tokens live", authn.TokenConfig{KeepPrevious: true, TTL: 7 * 24 * time.Hour}, []tokenStep{
			{issue: "org-1", name: "first"},
			{wait: 24 * time.Hour, issue: "org-1", name: "second"},
			{consume: "first", want: "org-1"},
			{consume: "second", want: "org-1"},
		}},
		{"Revoke kills the subject's tokens only", authn.TokenConfig{KeepPrevious: true}, []tokenStep{
			{issue: "u1", name: "a"},
			{issue: "u1", name: "b"},
			{issue: "u2", name: "c"},
			{revoke: "u1"},
			{consume: "a", wantErr: authn.ErrTokenInvalid},
			{consume: "b", wantErr: authn.ErrTokenInvalid},
			{consume: "c", want: "u2"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newTokenClock()
			cfg := c.cfg
			cfg.Purpose = "password-reset"
			cfg.Now = clock.Now
			runTokenSteps(t, authn.MustNewTokens(cfg), clock, c.steps)
		})
	}
}

func TestTokensAreBoundToTheirPurpose(t *testing.T) {
	ctx := context.Background()
	store := authn.NewMemoryTokenStore()
	resets := authn.MustNewTokens(authn.TokenConfig{Purpose: "password-reset", Store: store})
	verify := authn.MustNewTokens(authn.TokenConfig{Purpose: "email-verification", Store: store})
	tok, err := verify.Issue(ctx, "u1")
	require.NoError(t, err)
	_, err = resets.Consume(ctx, tok.Value.Reveal())
	require.ErrorIs(t, err, authn.ErrTokenInvalid, "a verification token must not reset a password")
	sub, err := verify.Consume(ctx, tok.Value.Reveal())
	require.NoError(t, err, "a wrong-purpose attempt must not burn the token")
	require.Equal(t, "u1", sub)
}

func TestTokenFormatAndStorage(t *testing.T) {
	ctx := context.Background()
	store := authn.NewMemoryTokenStore()
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "invite", Store: store})
	seen := map[string]bool{}
	for range 100 {
		tok, err := tokens.Issue(ctx, "u1")
		require.NoError(t, err)
		v := tok.Value.Reveal()
		require.Len(t, v, 43)
		raw, err := base64.RawURLEncoding.DecodeString(v)
		require.NoError(t, err)
		require.Len(t, raw, 32, "256 bits")
		require.False(t, seen[v], "duplicate token")
		seen[v] = true
	}
	require.Equal(t, 1, store.Len(), "each Issue replaced the previous token")
}

func TestConsumeRejectsMalformedTokens(t *testing.T) {
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "reset"})
	tok, err := tokens.Issue(context.Background(), "u1")
	require.NoError(t, err)
	v := tok.Value.Reveal()
	for name, bad := range map[string]string{
		"empty":                 "",
		"one character short":   v[:42],
		"one character long":    v + "A",
		"standard base64":       strings.ReplaceAll(strings.ReplaceAll(v, "-", "+"), "_", "/") + "+",
		"padded":                v + "=",
		"non-canonical last":    v[:42] + "B", // 43rd char carries 4 unused bits
		"spaces":                " " + v[1:],
		"a different valid one": base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tokens.Consume(context.Background(), bad)
			require.ErrorIs(t, err, authn.ErrTokenInvalid)
		})
	}
}

func TestExactlyOneConcurrentConsumeSucceeds(t *testing.T) {
	ctx := context.Background()
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "reset"})
	for range 20 {
		tok, err := tokens.Issue(ctx, "u1")
		require.NoError(t, err)
		var wins, invalid int
		for _, err := range raceCalls(16, func() error {
			_, err := tokens.Consume(ctx, tok.Value.Reveal())
			return err
		}) {
			switch {
			case err == nil:
				wins++
			case err == authn.ErrTokenInvalid:
				invalid++
			}
		}
		require.Equal(t, 1, wins)
		require.Equal(t, 15, invalid)
	}
}

func TestNewTokensValidates(t *testing.T) {
	for name, cfg := range map[string]authn.TokenConfig{
		"missing purpose":    {},
		"purpose with NUL":   {Purpose: "a\x00b"},
		"purpose too long":   {Purpose: strings.Repeat("p", 65)},
		"negative TTL":       {Purpose: "p", TTL: -time.Second},
		"TTL beyond 30 days": {Purpose: "p", TTL: 31 * 24 * time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := authn.NewTokens(cfg)
			require.ErrorContains(t, err, "TokenConfig.")
		})
	}
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "p"})
	_, err := tokens.Issue(context.Background(), "")
	require.Error(t, err, "empty subject")
}

func TestTokenValueIsRedactedEverywhere(t *testing.T) {
	tokens := authn.MustNewTokens(authn.TokenConfig{Purpose: "reset"})
	tok, err := tokens.Issue(context.Background(), "u1")
	require.NoError(t, err)
	secret := tok.Value.Reveal()

	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("issued", "token", tok.Value, "issued", tok)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("issued", "token", tok.Value)
	js, err := json.Marshal(tok)
	require.NoError(t, err)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", tok.Value), "%s": fmt.Sprintf("%s", tok.Value), "%q": fmt.Sprintf("%q", tok.Value),
		"%x": fmt.Sprintf("%x", tok.Value), "%#v": fmt.Sprintf("%#v", tok.Value), "%+v struct": fmt.Sprintf("%+v", tok),
		"Sprint": fmt.Sprint(tok.Value), "String": tok.Value.String(), "json": string(js), "slog": logBuf.String(),
	}
	for name, out := range outputs {
		require.NotContains(t, out, secret, name)
		require.Contains(t, out, "[REDACTED]", name)
	}
}
