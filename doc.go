// Package bulwark is the root of a set of small, independent security
// packages for Go web applications: the controls that every multi-tenant
// SaaS product ends up hand-rolling, done once, carefully, with safe
// defaults.
//
// This package contains no code. Import only the packages you need; each
// depends on the standard library and a short list of vetted modules, never
// on another public Bulwark package.
//
// # Packages
//
//   - [github.com/bulwark-go/bulwark/headers]: security response headers
//     (CSP with a per-request nonce, HSTS, frame, referrer and permissions
//     policies, COOP/CORP), a CORS allow-list, and CSRF protection built on
//     net/http's CrossOriginProtection.
//   - [github.com/bulwark-go/bulwark/ratelimit]: GCRA rate limits as
//     net/http middleware, with an in-memory store and a Redis store
//     (ratelimit/redisstore) that have identical semantics.
//   - [github.com/bulwark-go/bulwark/tenant]: organisation scoping and
//     role-based access control (owner > admin > member > viewer),
//     role-change rules, and a PostgreSQL row-level-security helper.
//   - [github.com/bulwark-go/bulwark/authn]: password hashing and policy,
//     one-time tokens, signed approval links, server-side sessions and
//     step-up re-authentication.
//   - [github.com/bulwark-go/bulwark/totp]: TOTP enrolment and verification
//     with replay protection and attempt limits, and backup codes.
//   - [github.com/bulwark-go/bulwark/sealbox]: encryption of stored
//     credentials (HKDF-SHA256 and AES-256-GCM) with key rotation.
//   - [github.com/bulwark-go/bulwark/audit]: audit events, sinks that never
//     lose data silently, and a tamper-evident HMAC chain.
//   - [github.com/bulwark-go/bulwark/egress]: an HTTP client for
//     server-side fetches of user-supplied URLs that refuses private,
//     loopback and metadata addresses at connect time.
//
// # Threat model
//
// Bulwark assumes an attacker who controls everything a client sends:
// request headers (including X-Forwarded-For and X-Forwarded-Proto), form
// fields, cookies, URLs the application is asked to fetch, and the timing
// and volume of requests. It assumes the attacker may obtain a copy of the
// database or the Redis store (so secrets are stored hashed or sealed, never
// in the clear) but not the application's master secret or its memory.
//
// Forwarding headers are honoured only from configured trusted proxies:
// IP prefixes (each package's TrustedProxies option) or, when enabled with
// TrustUnixSocket, the peer of a Unix-socket listener; the default trusts
// nobody. Stores fail closed by default: when Redis is down, a rate limit
// answers 503 rather than letting a credential-stuffing run through.
// Errors returned to clients never say which part of a credential check
// failed, and secrets never appear in logs, errors, URLs or String output.
//
// What Bulwark does not do: it is not an identity provider (no OAuth, OIDC
// or SAML), it does not send email, it does not replace TLS termination or
// a web application firewall, and it cannot protect an application from
// its own SQL or template injection bugs beyond the defence in depth that
// CSP and row-level security provide. Each package's documentation lists
// its own limits.
package bulwark
