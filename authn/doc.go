// Package authn authenticates people: it hashes and checks passwords,
// enforces a NIST SP 800-63B password policy, issues one-time tokens for
// password reset, email verification and invitations, and signs approval
// links for human-in-the-loop confirmation.
//
// For most uses, create one [Hasher] with the zero [HasherConfig], one
// [Policy] with the zero [PolicyConfig], one [Tokens] per purpose, and log
// users in with [Authenticate].
//
// It also manages server-side sessions with step-up re-authentication, and rotating refresh tokens
// for API clients.
//
// For most uses of sessions, call [NewSessions] with a zero [SessionConfig], wrap the mux with
// [Sessions.Middleware], call [Sessions.Create] after a successful login and protect handlers with
// [Sessions.RequireAuth], [Sessions.RequireMFA] and [Sessions.RequireRecentAuth].
//
// # Passwords
//
// [Hasher.Hash] produces argon2id hashes in the standard PHC string form
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash) that the reference argon2 tool
// and other libraries read. [Hasher.Verify] also accepts bcrypt hashes
// ($2a$, $2b$, $2y$), and [Hasher.NeedsRehash] tells when a stored hash is
// bcrypt or weaker than the current parameters, so users migrate on their
// next login. A Hasher bounds the number of hashes computed at once
// (HasherConfig.MaxConcurrent) and waits for a slot only as long as the
// request context allows, so a login flood queues instead of exhausting
// memory. Input longer than HasherConfig.MaxPasswordBytes is rejected
// before any hashing.
//
// [Authenticate] wraps a user lookup: an unknown user costs the same
// argon2id work as a known one, and every credential failure is the single
// [ErrInvalidCredentials].
//
// # Password policy
//
// [Policy.Check] follows NIST SP 800-63B section 3.1.1.2: at least 8
// characters (set 15 for accounts without a second factor), up to at least
// 64, no composition rules, any printable Unicode, and rejection of
// passwords that are common (an embedded list of 197,528 leaked passwords,
// see data/README.md), repetitive or sequential, or built from context
// words such as the user's email and name or the service's name. Errors
// explain the rule without echoing the password.
//
// Unicode: NFKC normalisation needs tables that live in golang.org/x/text,
// which this module does not depend on. By default Hasher and Policy fold
// only full-width ASCII and special spaces (the NFKC mappings typed input
// commonly needs) and otherwise use the password's bytes as given.
// Applications with many non-ASCII users should set HasherConfig.Normalize
// and PolicyConfig.Normalize to norm.NFKC.String from the start.
//
// # One-time tokens
//
// [Tokens] issues 256-bit random, URL-safe tokens bound to a purpose and a
// subject, stores only their SHA-256 hashes in a [TokenStore], and consumes
// each exactly once, atomically, before its expiry. By default a new token
// for a subject replaces the older ones. [MemoryTokenStore] serves a single
// instance; authn/redisstore serves several. Both pass the conformance
// suite in authn/tokenstoretest.
//
// Deliver tokens so they do not end up in logs: put them in the URL
// fragment (https://app.example/reset#TOKEN, which browsers never send to
// servers) and have the page POST them, or send them in a POST body;
// never in a query string. Serve the page that handles them with
// Referrer-Policy: no-referrer, revoke a user's reset tokens once the
// password changes ([Tokens.Revoke]), and rate-limit the request and
// redeem endpoints.
//
// # Approval links
//
// [Approvals] signs links with HMAC-SHA256 over a purpose, a subject (such
// as the ID of an action an AI agent wants to take), an expiry and, for
// single-use links, a random nonce. Verification is constant-time and
// accepts any of several keys, so keys rotate without breaking links in
// flight; expired links get [ErrApprovalExpired], forged or damaged ones
// [ErrApprovalInvalid], reused single-use ones [ErrApprovalUsed]. Show the
// action on GET with [Approvals.Verify] and act on a POST with
// [Approvals.Redeem]: mail scanners follow links.
//
// # Sessions
//
// A session is identified by a 256-bit random token (crypto/rand, 43 characters of base64url). The
// store keeps only its SHA-256 hash, the [SessionID], so a dump of the store cannot be replayed as a
// cookie, and lookups by hash give an attacker no timing signal about stored tokens. The token
// travels in a `__Host-session` cookie that is HttpOnly, Secure, SameSite=Lax, Path=/ and has no
// Domain, so scripts cannot read it, it never travels over plain HTTP, and sibling subdomains
// cannot set or overwrite it. [SessionConfig].InsecureCookie drops Secure and the prefix for
// plain-HTTP development; it is refused for any Host other than localhost or a loopback address.
//
// Timeouts default to the NIST SP 800-63B AAL2 limits: 1 hour idle, 24 hours absolute. The last use
// is written at most once per [SessionConfig].TouchInterval (default 1 minute), so a busy session
// does not write on every request; the effective idle timeout is therefore between IdleTimeout
// minus TouchInterval and IdleTimeout.
//
// Lifecycle:
//   - [Sessions.Create] after login: always a new token, and the session of any cookie the request
//     carried is revoked (no session fixation).
//   - [Sessions.Rotate] on every privilege change (MFA completion, step-up, role change): new
//     token, same absolute deadline; with AddMethods set it also records a new authentication time.
//   - [Sessions.Revoke] on logout; [Sessions.RevokeID] for one session from a "your sessions" page
//     ([Sessions.List] gives device, IP, created and last seen); [Sessions.RevokeAllForUser] on
//     password change or suspected compromise, optionally keeping the current session.
//
// A session records the user ID, login and authentication times, the methods used
// ([SessionPassword], [SessionTOTP], [SessionBackupCode], [SessionWebAuthn], [SessionEmailLink]),
// from which [SessionMethod.MFALevel] is derived, and a small string map bounded by
// [SessionConfig].MaxDataBytes. Each user holds at most [SessionConfig].MaxSessionsPerUser sessions;
// creating one more evicts the earliest-created.
//
// Two-step logins: create the session after the password with Methods SessionPassword, then call
// [Sessions.Rotate] with AddMethods SessionTOTP after the code. For users with a second factor
// enrolled, protect the application with [Sessions.RequireMFA] so a password-only session can do
// nothing but finish the login. Keep authorisation data such as roles in your database rather than
// in session Data; a session cannot be rotated from another user's request, so when an admin
// changes someone's role, read the role per request or call [Sessions.RevokeAllForUser].
//
// # Middleware and step-up
//
// [Sessions.Middleware] reads the cookie (and, only with [SessionConfig].AllowBearer, an
// `Authorization: Bearer` header), validates it in one store call, and puts a [Principal] in the
// context ([PrincipalFromContext]). Requests without a valid session continue anonymously; a refused
// cookie is deleted. If the store fails, the request gets 503 (fail closed).
//
// [Sessions.RequireAuth], [Sessions.RequireMFA] and [Sessions.RequireRecentAuth] answer with
// replaceable handlers; those handlers find a [RequireDenial] in the context
// ([RequireDenialFromContext]) whose ReturnTo is a same-site path, so a login or re-authentication
// page can send the user back. Check a return path that came back from the client with
// [SessionReturnPath] (open-redirect guard). RequireRecentAuth(maxAge) implements step-up: before
// billing, API keys or member management, the user must have authenticated within maxAge; the
// re-authentication page verifies the password or a TOTP code and calls [Sessions.Rotate] with
// AddMethods.
//
// Every refused token looks the same to the client (anonymous request, cookie deleted; the Require
// handlers answer the same way). Only [SessionConfig].OnInvalid learns the [SessionReason]:
// malformed, unknown (never issued, revoked or evicted), idle or absolute timeout, or store error.
//
// # Refresh tokens
//
// [RefreshTokens] serves API clients: [RefreshTokens.Issue] returns a short-lived access token (15
// minutes by default) and a refresh token. Access tokens are sessions of a [Sessions] with
// AllowBearer, so the same middleware and Require checks apply, and the authentication time of the
// login carries over (a refresh is not a re-authentication). Each refresh ([RefreshTokens.Refresh],
// or the endpoint [RefreshTokens.Handler]) replaces both tokens. Presenting a refresh token that
// was already replaced revokes its whole family and the family's current access token (RFC 9700
// section 4.14.2): if two parties hold the token, one of them stole it. Of two concurrent refreshes
// with one token, exactly one rotates and the other revokes the family, so both end logged out.
// The refresh token is delivered in an HttpOnly, Secure, SameSite=Strict cookie (`__Host-refresh`,
// or `__Secure-refresh` when restricted to the refresh path); [RefreshConfig].InsecureBodyDelivery
// returns it in the body for native clients without a cookie jar.
//
// On password change call both [Sessions.RevokeAllForUser] and [RefreshTokens.RevokeAllForUser].
//
// # Stores
//
// [MemorySessionStore] and [MemoryRefreshStore] are the defaults: per process, bounded (expired
// entries are swept as new ones are written; no goroutine). authn/redisstore provides Redis stores
// for several instances. All pass one conformance suite. Stores receive only token hashes.
//
// # What this package does not do
//
// It does not rate-limit login or reset attempts (use bulwark/ratelimit,
// keyed by account and by IP), check passwords against a live breach
// service, send email, or render pages. Equal-time login covers the hashing
// work only: the caller's user lookup and response path must not leak
// whether an account exists in other ways (different messages, redirects,
// or reset emails that say "no such user"). The common-password list is a
// static snapshot. Approval links are signed, not encrypted: their subject
// is readable by whoever holds the link.
//
// # What sessions do not defend against
//
//   - Cross-site request forgery beyond SameSite=Lax: combine with a CSRF check (package headers)
//     for state-changing requests.
//   - Cross-site scripting: an attacker's script cannot read the HttpOnly cookie but can send
//     requests as the user while the page is open. With AllowBearer or InsecureBodyDelivery, it can
//     also exfiltrate tokens the page holds.
//   - A compromised client device or a malicious browser extension.
//   - Two concurrent requests during a Rotate: the one still carrying the old cookie is
//     unauthenticated (no grace period, by design).
//   - Legitimate concurrent refreshes by the same client (e.g. two tabs): they look exactly like
//     theft and end the family; clients must serialise refreshes.
package authn
