// Package redisstore provides a [ratelimit.Store] backed by Redis (go-redis
// v9), so every instance of an application shares the same budgets.
//
// For most uses, call [New] with the application's *redis.Client and pass
// the Store as ratelimit.Config.Store:
//
//	store, err := redisstore.New(redisstore.Config{Client: rdb})
//	signIn, err := ratelimit.New(ratelimit.Config{Store: store, Rules: rules})
//
// # How a decision is made
//
// Each decision is exactly one round trip: EVALSHA of a short Lua script
// implementing GCRA (with EVAL as the fallback when the server answers
// NOSCRIPT, after a restart or SCRIPT FLUSH; that one call costs a second
// round trip and reloads the script). The script reads the server's TIME,
// so the clocks of application hosts do not matter, reads and writes a
// single key ("bulwark:ratelimit:" + rule + ":" + key by default), which
// makes it safe for Redis Cluster, and sets the key to expire when its
// budget is full again, so idle clients leave nothing behind. Redis runs
// scripts atomically, so concurrent decisions on one key never spend the
// same budget.
//
// # Failure
//
// Every Redis error (connection refused, timeout, OOM) is returned, and
// no decision is made; the [ratelimit.Limiter] then fails closed with 503
// unless configured to fail open, and calls its OnError hook either way.
// Bound how long a decision can wait with the client's DialTimeout,
// ReadTimeout and WriteTimeout. A Redis restart without persistence
// forgets all budgets, which briefly gives every client a full burst.
//
// # What it does not do
//
// Keys are whatever the rules produce: use ratelimit.FormKey or
// ratelimit.HashKey for personal data so it is not stored in Redis in the
// clear. The store does not authenticate to Redis itself; configure TLS and
// credentials on the client.
package redisstore
