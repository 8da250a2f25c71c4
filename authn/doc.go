// Package authn authenticates people: it hashes and checks passwords,
// enforces a NIST SP 800-63B password policy, issues one-time tokens for
// password reset, email verification and invitations, and signs approval
// links for human-in-the-loop confirmation.
//
// For most uses, create one [Hasher] with the zero [HasherConfig], one
// [Policy] with the zero [PolicyConfig], one [Tokens] per purpose, and log
// users in with [Authenticate].
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
package authn
