package redisstore_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/internal/sessiontest"
	"github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/stretchr/testify/require"
)

func newSessionStore(t testing.TB) (*redisstore.SessionStore, *sessionCommandCounter, string) {
	c, prefix := sessionTestRedis(t)
	counter := &sessionCommandCounter{}
	c.AddHook(counter)
	st, err := redisstore.NewSessionStore(redisstore.SessionStoreConfig{Client: c, Prefix: prefix})
	require.NoError(t, err)
	return st, counter, prefix
}

func TestSessionStoreConformance(t *testing.T) {
	sessiontest.RunSessionStore(t, func(t *testing.T) authn.SessionStore {
		st, _, _ := newSessionStore(t)
		return st
	})
}

func TestNewSessionStoreNeedsAClient(t *testing.T) {
	_, err := redisstore.NewSessionStore(redisstore.SessionStoreConfig{})
	require.ErrorContains(t, err, "Client")
}

// TestSessionValidateIsOneRoundTrip proves the issue's speed promise: with
// the Redis store, a request through the middleware costs exactly one
// command, whether or not it touches the session.
func TestSessionValidateIsOneRoundTrip(t *testing.T) {
	st, counter, _ := newSessionStore(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m, err := authn.NewSessions(authn.SessionConfig{Store: st, Now: func() time.Time { return now }})
	require.NoError(t, err)
	tok, _, err := m.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)
	var user string
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := authn.PrincipalFromContext(r.Context())
		user = p.UserID
	}))
	serve := func() {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Cookie", m.CookieName()+"="+tok.Reveal())
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	serve() // loads the script (EVALSHA, then EVAL on NOSCRIPT) once

	for _, tc := range []struct {
		name    string
		advance time.Duration
	}{
		{"a request that does not touch", time.Second},
		{"a request that touches", 2 * time.Minute},
		{"another request that does not touch", time.Second},
	} {
		now = now.Add(tc.advance)
		user = ""
		before := counter.n.Load()
		serve()
		require.Equal(t, int64(1), counter.n.Load()-before, "%s: round trips", tc.name)
		require.Equal(t, "alice", user, tc.name)
	}
}

func TestSessionStoreSharedByTwoManagers(t *testing.T) {
	st, _, _ := newSessionStore(t)
	ctx := context.Background()
	a := authn.MustNewSessions(authn.SessionConfig{Store: st})
	b := authn.MustNewSessions(authn.SessionConfig{Store: st})

	tok1, s1, err := a.Issue(ctx, nil, authn.SessionLogin{UserID: "alice", Data: map[string]string{"org": "acme"}})
	require.NoError(t, err)
	tok2, _, err := b.Issue(ctx, nil, authn.SessionLogin{UserID: "alice"})
	require.NoError(t, err)

	got, err := b.Validate(ctx, tok1.Reveal())
	require.NoError(t, err, "instance B validates a session created by A")
	require.Equal(t, s1.ID, got.ID)
	require.Equal(t, "acme", got.Data["org"])

	list, err := a.List(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, list, 2)

	n, err := b.RevokeAllForUser(ctx, "alice", authn.SessionID{})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	for _, tok := range []authn.SessionToken{tok1, tok2} {
		_, err := a.Validate(ctx, tok.Reveal())
		require.ErrorIs(t, err, authn.ErrSessionInvalid, "revoked on B, refused on A")
	}
}

func TestSessionKeysExpireAndHoldNoSecrets(t *testing.T) {
	st, _, prefix := newSessionStore(t)
	c, _ := sessionTestRedis(t)
	ctx := context.Background()
	m := authn.MustNewSessions(authn.SessionConfig{Store: st, IdleTimeout: 10 * time.Minute})
	tok, _, err := m.Issue(ctx, nil, authn.SessionLogin{UserID: "alice@example.com"})
	require.NoError(t, err)

	keys, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2, "one session hash and one user index")
	for _, k := range keys {
		require.NotContains(t, k, tok.Reveal())
		require.NotContains(t, k, "alice", "user IDs are hashed in key names")
		ttl, err := c.PTTL(ctx, k).Result()
		require.NoError(t, err)
		require.Greater(t, ttl, time.Duration(0), "%s must expire", k)
		if strings.Contains(k, ":s:") {
			require.LessOrEqual(t, ttl, 10*time.Minute, "a session key expires with the idle timeout")
			vals, err := c.HGetAll(ctx, k).Result()
			require.NoError(t, err)
			for f, v := range vals {
				require.NotContains(t, v, tok.Reveal(), "field %s", f)
			}
		} else {
			require.LessOrEqual(t, ttl, 24*time.Hour, "the index expires with its longest session")
		}
	}
}

func TestSessionStoreReportsCorruptRecords(t *testing.T) {
	st, _, prefix := newSessionStore(t)
	c, _ := sessionTestRedis(t)
	ctx := context.Background()
	id := sessiontest.NewID()
	key := prefix + "s:" + hex.EncodeToString(id[:])
	require.NoError(t, c.HSet(ctx, key, "u", "alice", "c", "x", "x", "y", "a", "1", "l", "1", "m", "1", "d", "{").Err())
	_, _, err := st.Validate(ctx, id, time.Now(), sessiontest.Limits)
	require.Error(t, err, "a corrupt record is a store error, not a valid session")
}

// TestSessionUserIndexIsBounded checks the Redis side of the per-user cap:
// however many logins, the index holds at most MaxPerUser members and as
// many session keys exist.
func TestSessionUserIndexIsBounded(t *testing.T) {
	st, _, prefix := newSessionStore(t)
	c, _ := sessionTestRedis(t)
	ctx := context.Background()
	for i := range 40 {
		s := sessiontest.NewSession("bounded", sessiontest.T0.Add(time.Duration(i)*time.Second))
		require.NoError(t, st.Create(ctx, s, sessiontest.Limits))
	}
	keys, err := c.Keys(ctx, prefix+"u:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	n, err := c.ZCard(ctx, keys[0]).Result()
	require.NoError(t, err)
	require.Equal(t, int64(sessiontest.Limits.MaxPerUser), n)
	sessions, err := c.Keys(ctx, prefix+"s:*").Result()
	require.NoError(t, err)
	require.Len(t, sessions, sessiontest.Limits.MaxPerUser, "evicted sessions are deleted, not just unindexed")
}
