package authn_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/bulwark-go/bulwark/authn"
)

func ExampleHasher() {
	ctx := context.Background()
	hasher := authn.MustNewHasher(authn.HasherConfig{}) // argon2id, OWASP parameters

	// At sign-up: check the policy, then store only the hash.
	hash, err := hasher.Hash(ctx, "correct horse battery staple")
	if err != nil {
		panic(err)
	}

	// At login.
	fmt.Println(hasher.Verify(ctx, "correct horse battery staple", hash))
	fmt.Println(hasher.Verify(ctx, "Correct Horse Battery Staple", hash))

	// A hash from an older system: bcrypt, made by `htpasswd -nbB -C 4 bob ...`.
	legacy := "$2y$04$lp6F.v8BrUVvEK0SeG.BtuUjeIiGs4GZ33GN0kvdHh6niCj6E2aSO"
	if hasher.Verify(ctx, "correct horse battery staple", legacy) == nil && hasher.NeedsRehash(legacy) {
		fmt.Println("legacy hash accepted; store a new argon2id hash now")
	}
	// Output:
	// <nil>
	// authn: invalid credentials
	// legacy hash accepted; store a new argon2id hash now
}

type hasherExampleUser struct {
	ID           string
	PasswordHash string
}

func ExampleAuthenticate() {
	ctx := context.Background()
	hasher := authn.MustNewHasher(authn.HasherConfig{})
	hash, _ := hasher.Hash(ctx, "correct horse battery staple")
	db := map[string]hasherExampleUser{"alice@example.com": {ID: "u1", PasswordHash: hash}}

	login := func(email, password string) {
		u, rehash, err := authn.Authenticate(ctx, hasher, password,
			func(ctx context.Context) (hasherExampleUser, string, bool, error) {
				u, ok := db[email] // a real app queries its database here
				return u, u.PasswordHash, ok, nil
			})
		switch {
		case errors.Is(err, authn.ErrInvalidCredentials):
			fmt.Println("401: wrong email or password") // same answer for unknown users
		case err != nil:
			fmt.Println("503: try again later")
		default:
			fmt.Println("welcome", u.ID, "rehash:", rehash)
		}
	}
	login("alice@example.com", "correct horse battery staple")
	login("alice@example.com", "guess")
	login("nobody@example.com", "guess")
	// Output:
	// welcome u1 rehash: false
	// 401: wrong email or password
	// 401: wrong email or password
}

func ExamplePolicy() {
	policy := authn.MustNewPolicy(authn.PolicyConfig{
		MinLength:    15, // password-only accounts; 8 when a second factor is required
		ContextWords: []string{"Bulwark"},
	})
	for _, pw := range []string{
		"Tr0ub4dor&3",
		"qwertyuiopasdfgh",
		"BulwarkBulwark2024",
		"correct horse battery staple",
	} {
		fmt.Println(policy.Check(pw, "alice@example.com"))
	}
	// Output:
	// authn: password too short: use at least 15 characters
	// authn: password is too common: it appears in lists of leaked passwords that attackers try first
	// authn: password is built from your name, email or this site's name: without those it must still have 8 characters
	// <nil>
}

// ExampleTokens shows a password-reset flow.
func ExampleTokens() {
	ctx := context.Background()
	resets := authn.MustNewTokens(authn.TokenConfig{
		Purpose: "password-reset",
		TTL:     time.Hour,
		// Store: redisstore.NewTokenStore(...) when running several instances.
	})

	// 1. "Forgot password": issue a token and email a link carrying it in
	//    the fragment, which browsers never send to the server or in a
	//    Referer header. The page's script POSTs it back.
	tok, err := resets.Issue(ctx, "u1")
	if err != nil {
		panic(err)
	}
	link := url.URL{Scheme: "https", Host: "app.example", Path: "/reset", Fragment: tok.Value.Reveal()}
	fmt.Println("link has a token in the fragment:", len(link.Fragment) == 43)
	fmt.Println("logged as:", tok.Value) // redacted, never the token

	// 2. The reset form POSTs the token with the new password (served
	//    with Referrer-Policy: no-referrer).
	userID, err := resets.Consume(ctx, tok.Value.Reveal())
	fmt.Println(userID, err)

	// 3. A second use fails: tokens are single-use.
	_, err = resets.Consume(ctx, tok.Value.Reveal())
	fmt.Println(err)
	// Output:
	// link has a token in the fragment: true
	// logged as: [REDACTED]
	// u1 <nil>
	// authn: invalid or already used token
}

// ExampleApprovals shows a human approving an action an AI agent proposed.
func ExampleApprovals() {
	ctx := context.Background()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil { // in production: from a secrets manager
		panic(err)
	}
	approvals := authn.MustNewApprovals(authn.ApprovalConfig{Keys: []authn.ApprovalKey{authn.NewApprovalKey(key)}})

	// The agent wants to pay an invoice: email the user a single-use link.
	token, err := approvals.Sign(authn.ApprovalRequest{
		Purpose:   "agent-payment",
		Subject:   "action-7f3a",
		TTL:       15 * time.Minute,
		SingleUse: true,
	})
	if err != nil {
		panic(err)
	}
	_ = "https://app.example/approve/" + token

	// GET /approve/{token}: show what will happen, consume nothing.
	a, err := approvals.Verify("agent-payment", token)
	fmt.Println(a.Subject, a.SingleUse, err)

	// POST from that page: redeem, then act.
	_, err = approvals.Redeem(ctx, "agent-payment", token)
	fmt.Println("approved:", err == nil)
	_, err = approvals.Redeem(ctx, "agent-payment", token)
	fmt.Println(err)
	// Output:
	// action-7f3a true <nil>
	// approved: true
	// authn: approval link already used
}
