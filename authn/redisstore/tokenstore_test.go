package redisstore_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/bulwark-go/bulwark/authn/tokenstoretest"
	"github.com/stretchr/testify/require"
)

func TestTokenStoreConformance(t *testing.T) {
	tokenstoretest.RunTokenStore(t, func(t *testing.T) authn.TokenStore {
		rdb, prefix := tokenTestRedis(t)
		s, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{Client: rdb, Prefix: prefix})
		require.NoError(t, err)
		return s
	})
}

func TestApprovalNonceStoreConformance(t *testing.T) {
	tokenstoretest.RunApprovalNonceStore(t, func(t *testing.T) authn.ApprovalNonceStore {
		rdb, prefix := tokenTestRedis(t)
		s, err := redisstore.NewApprovalNonceStore(redisstore.ApprovalNonceStoreConfig{Client: rdb, Prefix: prefix})
		require.NoError(t, err)
		return s
	})
}

func TestNewStoresRequireAClient(t *testing.T) {
	_, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{})
	require.ErrorContains(t, err, "Client")
	_, err = redisstore.NewApprovalNonceStore(redisstore.ApprovalNonceStoreConfig{})
	require.ErrorContains(t, err, "Client")
}

func TestTokenStoreKeysExpireWithTheToken(t *testing.T) {
	rdb, prefix := tokenTestRedis(t)
	ctx := context.Background()
	s, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{Client: rdb, Prefix: prefix})
	require.NoError(t, err)
	rec := authn.TokenRecord{Purpose: "reset", Subject: "alice@example.com", ExpiresAt: time.Now().Add(10 * time.Minute)}
	_, _ = rand.Read(rec.Key[:])
	require.NoError(t, s.SaveToken(ctx, rec, true))

	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 2, "one record and one subject index")
	for _, k := range keys {
		require.NotContains(t, k, "alice", "key names must not contain the subject")
		ttl, err := rdb.PTTL(ctx, k).Result()
		require.NoError(t, err)
		require.Greater(t, ttl, 9*time.Minute, "TTL of %s", k)
		require.LessOrEqual(t, ttl, 10*time.Minute, "TTL of %s", k)
	}
}

func TestTokensEndToEndAcrossInstances(t *testing.T) {
	rdb, prefix := tokenTestRedis(t)
	ctx := context.Background()
	newTokens := func() *authn.Tokens {
		s, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{Client: rdb, Prefix: prefix})
		require.NoError(t, err)
		return authn.MustNewTokens(authn.TokenConfig{Purpose: "password-reset", Store: s})
	}
	a, b := newTokens(), newTokens()
	tok, err := a.Issue(ctx, "user-42")
	require.NoError(t, err)
	sub, err := b.Consume(ctx, tok.Value.Reveal())
	require.NoError(t, err)
	require.Equal(t, "user-42", sub)
	_, err = a.Consume(ctx, tok.Value.Reveal())
	require.ErrorIs(t, err, authn.ErrTokenInvalid)
}
