package redisstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/internal/sessiontest"
	"github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/stretchr/testify/require"
)

func newRefreshStore(t testing.TB) *redisstore.RefreshStore {
	c, prefix := sessionTestRedis(t)
	st, err := redisstore.NewRefreshStore(redisstore.RefreshStoreConfig{Client: c, Prefix: prefix + "r:"})
	require.NoError(t, err)
	return st
}

func TestRefreshStoreConformance(t *testing.T) {
	sessiontest.RunRefreshStore(t, func(t *testing.T) authn.RefreshStore { return newRefreshStore(t) })
}

func TestNewRefreshStoreNeedsAClient(t *testing.T) {
	_, err := redisstore.NewRefreshStore(redisstore.RefreshStoreConfig{})
	require.ErrorContains(t, err, "Client")
}

// TestRefreshReuseAcrossTwoInstances runs two application instances on one
// Redis: two clients refresh with the same token at the same time through
// different instances; at most one gets tokens, and the family, including
// any tokens the winner got, is dead everywhere.
func TestRefreshReuseAcrossTwoInstances(t *testing.T) {
	sessions, _, _ := newSessionStore(t)
	refresh := newRefreshStore(t)
	ctx := context.Background()
	var instances [2]*authn.RefreshTokens
	var managers [2]*authn.Sessions
	for i := range instances {
		managers[i] = authn.MustNewSessions(authn.SessionConfig{Store: sessions, AllowBearer: true})
		rt, err := authn.NewRefreshTokens(authn.RefreshConfig{Sessions: managers[i], Store: refresh})
		require.NoError(t, err)
		instances[i] = rt
	}
	for round := range 10 {
		g, err := instances[0].Issue(ctx, nil, authn.SessionLogin{UserID: "alice"})
		require.NoError(t, err)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			grants []authn.RefreshGrant
			errs   []error
		)
		for i := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g2, err := instances[i].Refresh(ctx, nil, g.RefreshToken.Reveal())
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				grants = append(grants, g2)
			}()
		}
		wg.Wait()
		require.LessOrEqual(t, len(grants), 1, "round %d: winners", round)
		require.NotEmpty(t, errs, "round %d", round)
		for _, err := range errs {
			require.ErrorIs(t, err, authn.ErrRefreshInvalid, "round %d", round)
		}
		for _, g2 := range grants {
			for _, m := range managers {
				_, err := m.Validate(ctx, g2.AccessToken.Reveal())
				require.ErrorIs(t, err, authn.ErrSessionInvalid, "round %d: winner's access token", round)
			}
			_, err := instances[1].Refresh(ctx, nil, g2.RefreshToken.Reveal())
			require.ErrorIs(t, err, authn.ErrRefreshInvalid, "round %d: winner's refresh token", round)
		}
	}
}

func TestRefreshThroughRedisEndToEnd(t *testing.T) {
	sessions, _, _ := newSessionStore(t)
	m := authn.MustNewSessions(authn.SessionConfig{Store: sessions, AllowBearer: true})
	rt, err := authn.NewRefreshTokens(authn.RefreshConfig{Sessions: m, Store: newRefreshStore(t)})
	require.NoError(t, err)
	g, err := rt.Issue(context.Background(), nil, authn.SessionLogin{UserID: "alice", Data: map[string]string{"client": "cli"}})
	require.NoError(t, err)

	r := httptest.NewRequest("POST", "https://api.example.com/auth/refresh", nil)
	r.Header.Set("Cookie", rt.CookieName()+"="+g.RefreshToken.Reveal())
	w := httptest.NewRecorder()
	rt.Handler().ServeHTTP(w, r)
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())

	n, err := rt.RevokeAllForUser(context.Background(), "alice")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

// TestRefreshKeysAreBounded checks that a family busy refreshing keeps at
// most MaxKept token keys, all expiring.
func TestRefreshKeysAreBounded(t *testing.T) {
	c, prefix := sessionTestRedis(t)
	st, err := redisstore.NewRefreshStore(redisstore.RefreshStoreConfig{Client: c, Prefix: prefix})
	require.NoError(t, err)
	ctx := context.Background()
	f := sessiontest.NewFamily("busy", sessiontest.T0)
	tok := sessiontest.NewID()
	_, err = st.Create(ctx, f, tok, sessiontest.RefreshLimits)
	require.NoError(t, err)
	for i := range 50 {
		next := sessiontest.NewID()
		_, reason, err := st.Rotate(ctx, tok, next, sessiontest.NewID(), sessiontest.T0.Add(time.Duration(i+1)*time.Minute), sessiontest.RefreshLimits)
		require.NoError(t, err)
		require.Zero(t, reason)
		tok = next
	}
	keys, err := c.Keys(ctx, prefix+"t:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, sessiontest.RefreshLimits.MaxKept)
	all, err := c.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	for _, k := range all {
		ttl, err := c.PTTL(ctx, k).Result()
		require.NoError(t, err)
		require.Greater(t, ttl, time.Duration(0), "%s must expire", k)
	}
}
