// Package redisstore provides Redis-backed stores for package authn, so
// sessions, refresh tokens, one-time tokens and single-use approval links
// work across several application instances.
//
// # Stores
//
//   - [TokenStore] implements authn.TokenStore: one-time token hashes
//     (password reset, email verification, invitations).
//   - [ApprovalNonceStore] implements authn.ApprovalNonceStore: nonces of
//     redeemed single-use approval links.
//
// For most uses, create one go-redis client and pass it to [NewTokenStore]
// and [NewApprovalNonceStore]:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	store, err := redisstore.NewTokenStore(redisstore.TokenStoreConfig{Client: rdb})
//	resets, err := authn.NewTokens(authn.TokenConfig{Purpose: "password-reset", Store: store})
//
// # Sessions and refresh tokens
//
// [SessionStore] and [RefreshStore] implement authn.SessionStore and authn.RefreshStore. Every
// operation is one Lua script (EVALSHA, EVAL on NOSCRIPT): validate-and-touch is exactly one round
// trip per request and uses the application's clock, passed in, so tests can inject time. Keys are
// derived only from SHA-256 hashes of tokens and of user IDs (no e-mail addresses in key names),
// expire with the session or family, and each user's index is a sorted set pruned of dead members
// on every create, capped, and expiring with its longest-lived member. Several application
// instances can share one Redis. Redis Cluster is not supported (a user's scripts touch keys that
// Cluster would place on different nodes); use a single server or Sentinel.
//
// # Guarantees
//
// Consumption is a single Lua script (GETDEL plus index clean-up), so exactly
// one of any number of concurrent consumers of a token gets it, across all
// instances; nonce claims are a single SET NX. Keys expire with the records
// they hold (PXAT), so nothing accumulates. Only SHA-256 token hashes are
// stored; a dump of Redis yields no usable token. Both stores pass the
// conformance suite in authn/tokenstoretest against a real Redis.
//
// # Limits
//
// Redis 6.2 or newer is required (GETDEL, PXAT). The scripts touch keys
// derived inside the script, so the stores do not support Redis Cluster
// with keys spread over slots; use a single primary (with replicas or
// Sentinel). Atomicity is that of the Redis primary: a failover that loses
// acknowledged writes can resurrect a consumed token, so prefer short TTLs.
package redisstore
