package redisstore_test

import (
	"context"
	"fmt"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/redis/go-redis/v9"
)

// Share one-time tokens and single-use approval links across instances.
func ExampleNewTokenStore() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	store, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{Client: rdb, Prefix: "myapp:authn:"})
	if err != nil {
		panic(err)
	}
	resets := authn.MustNewTokens(authn.TokenConfig{Purpose: "password-reset", Store: store})

	nonces, err := redisstore.NewApprovalNonceStore(redisstore.ApprovalNonceStoreConfig{Client: rdb, Prefix: "myapp:authn:"})
	if err != nil {
		panic(err)
	}
	approvals := authn.MustNewApprovals(authn.ApprovalConfig{
		Keys:   []authn.ApprovalKey{authn.NewApprovalKey([]byte("load 32+ random bytes from your secrets store"))},
		Nonces: nonces,
	})

	tok, err := resets.Issue(context.Background(), "user-42")
	if err != nil {
		fmt.Println("Redis unavailable:", err)
		return
	}
	_ = tok // email https://app.example/reset#<tok.Value.Reveal()>
	_ = approvals
}
