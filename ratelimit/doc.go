// Package ratelimit limits how often clients may do something (sign in,
// request a password reset, send a code, post a message), as net/http
// middleware built on the generic cell rate algorithm (GCRA).
//
// For most uses, build one [Limiter] per route with [New], giving it
// [Rule]s keyed by [IPKey] and, where the request names an account, by
// [FormKey] or [UserKey]; wrap the handler with [Limiter.Handler]. With
// several instances of the application, give every Limiter the same
// ratelimit/redisstore Store.
//
//	ipKey, _ := ratelimit.IPKey(ratelimit.IPKeyConfig{TrustedProxies: proxies})
//	emailKey, _ := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: secret})
//	signIn := ratelimit.MustNew(ratelimit.Config{Rules: []ratelimit.Rule{
//		{Name: "signin-ip", Limit: ratelimit.Per(10, 15*time.Minute), Key: ipKey},
//		{Name: "signin-account", Limit: ratelimit.Per(5, 15*time.Minute), Key: emailKey},
//	}})
//	mux.Handle("POST /signin", signIn.Handler(signInHandler))
//
// # Limits
//
// A [Limit] is "n events per period" with a burst: [Per], [PerSecond],
// [PerMinute], [PerHour], and [Limit.WithBurst]. GCRA refills the budget
// continuously (one event every period/n) instead of resetting it at
// window boundaries, so a client cannot double its burst around a window
// edge, and the state per key is a single timestamp. A request may cost
// more than one event ([Rule.Cost], the n of [Store.Allow]).
//
// # Stores
//
// A [Store] makes each decision atomically and returns a [Result]:
// allowed, remaining, retry-after and reset-after. [MemoryStore] (the
// default) is sharded, allocation-free for tracked keys, and bounded in
// memory; ratelimit/redisstore shares budgets across instances with one
// round trip per decision and the Redis server's clock. Both pass the
// same conformance suite, ratelimit/ratelimittest, which other Store
// implementations can run too.
//
// # Responses
//
// A denied request gets 429 Too Many Requests with Retry-After (whole
// seconds, rounded up) from [Config.LimitedHandler], after
// [Config.OnLimited] has been told. Unless [Config.OmitHeaders] is set,
// every response also carries the RateLimit-Policy and RateLimit fields
// of draft-ietf-httpapi-ratelimit-headers-09 (March 2025), for example
//
//	RateLimit-Policy: "signin-ip";q=10;w=900, "signin-account";q=5;w=900
//	RateLimit: "signin-ip";r=7;t=270, "signin-account";r=0;t=900
//
// with one item per rule evaluated for the request: q is the rate, w the
// period in seconds, r the remaining budget and t the seconds until the
// budget is full again. The draft may still change; these fields are
// informative, clients must not depend on them for correctness.
//
// # Store failures
//
// When the store fails (Redis down), the Limiter fails closed: 503
// Service Unavailable from [Config.UnavailableHandler]. Set
// [Config.InsecureFailOpen] to let requests through instead. Either way
// [Config.OnError] is called, so an outage is never silent.
//
// # Keys
//
// [IPKey] finds the client through internal/clientip: X-Forwarded-For is
// believed only from configured trusted proxies and walked from the right,
// never taken from its spoofable leftmost entry. IPv6 clients are grouped
// by their /64 (configurable), since one subscriber usually controls a
// whole /64 and could otherwise rotate addresses to escape the limit;
// 6to4 and Teredo addresses, which a client can mint in far larger
// numbers, are keyed by the IPv4 address they embed, in namespaces of
// their own ("6to4:…", "teredo:…").
// Behind a reverse proxy that reaches the application over a Unix socket,
// set [IPKeyConfig.TrustUnixSocket]: the socket peer has no address, and
// without it every client shares the key "unknown".
// [FormKey] and [HashKey] key by HMAC-SHA256 of a normalized value such
// as an email address, so personal data never becomes a Redis key;
// FormKey reads at most [FormKeyConfig.MaxBodyBytes] of the body (via
// http.MaxBytesReader) and counts unreadable bodies under one shared key
// rather than letting them through. [UserKey] keys by the signed-in user.
//
// # Recipes
//
// The limits used by the seed applications, each rule on its route (rule
// names must be unique per store):
//
//	// Sign-in: 10 per 15 minutes per IP (and 5 per account, as above).
//	{Name: "signin-ip", Limit: ratelimit.Per(10, 15*time.Minute), Key: ipKey}
//
//	// Password reset: 5 per 15 minutes per email address (hashed), after an IP rule.
//	{Name: "reset-ip", Limit: ratelimit.Per(20, 15*time.Minute), Key: ipKey},
//	{Name: "reset-email", Limit: ratelimit.Per(5, 15*time.Minute), Key: emailKey}
//
//	// One-time code send: 3 per 5 minutes per user (each sends an SMS or email).
//	{Name: "otp-send", Limit: ratelimit.Per(3, 5*time.Minute), Key: userKey}
//
//	// One-time code verify: 10 per 5 minutes per user (a 6-digit code then
//	// takes on the order of 100,000 minutes of guessing for even odds).
//	{Name: "otp-verify", Limit: ratelimit.Per(10, 5*time.Minute), Key: userKey}
//
//	// Chat: 40 messages per minute per user.
//	{Name: "chat-user", Limit: ratelimit.PerMinute(40), Key: userKey}
//
// where userKey is ratelimit.UserKey(sessionUserID). The code-verify rule
// slows guessing but does not replace locking the code after a few failures
// (the totp package counts attempts).
//
// # What it defends against, and what it does not
//
// It slows credential stuffing, password spraying against one account,
// enumeration and email or SMS bombing through reset and code endpoints,
// code guessing, and message floods from one client, and it keeps a shared
// store correct under concurrency (no two requests spend the same budget).
//
// It does not stop a distributed attack from many networks below every
// per-IP limit (per-account rules help; so do CAPTCHAs and breached-
// password checks), it does not protect against volumetric denial of
// service (the application still receives and parses each request; put a
// proxy or CDN in front), and per-account rules can be used to lock a
// victim out of signing in for the rule's period: keep them generous
// enough, or pair them with a second factor path. With the default
// MemoryStore each instance counts separately.
package ratelimit
