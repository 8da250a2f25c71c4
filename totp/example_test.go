package totp_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/bulwark-go/bulwark/totp"
)

// Enrolment: make a secret, show the QR code, keep the secret pending until
// the user confirms with a code from the app.
func ExampleVerifier_Enroll() {
	verifier, err := totp.New(totp.Config{Issuer: "Example Corp"})
	if err != nil {
		panic(err)
	}
	enrollment, err := verifier.Enroll("alice@example.com")
	if err != nil {
		panic(err)
	}

	// In a handler: render <img src="{{.QR}}"> and a form for the first
	// code; store enrollment.Secret().Bytes() encrypted, marked pending.
	qr, err := enrollment.QRCodeDataURL()
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(enrollment.URI())
	fmt.Println(u.Scheme, u.Host, u.Path)
	fmt.Println(u.Query().Get("algorithm"), u.Query().Get("digits"), u.Query().Get("period"))
	fmt.Println(len(enrollment.Secret().Bytes())*8, "bit secret")
	fmt.Println(string(qr[:22]))
	fmt.Println(enrollment) // never prints the secret

	// When the user submits the first code:
	//   err := verifier.ConfirmEnrollment(ctx, userID, secret, code)
	// and mark the enrolment active only if err == nil.

	// Output:
	// otpauth totp /Example Corp:alice@example.com
	// SHA1 6 30
	// 160 bit secret
	// data:image/png;base64,
	// [REDACTED]
}

// Verification at login, with the RFC 6238 SHA-1 seed at a fixed time so the
// output is deterministic. The same code is rejected the second time.
func ExampleVerifier_Verify() {
	at := time.Unix(1111111109, 0) // RFC 6238 Appendix B
	verifier := totp.MustNew(totp.Config{
		Issuer: "Example Corp",
		Now:    func() time.Time { return at },
	})
	// Normally: open the sealed secret and call totp.SecretFromBytes.
	secret, err := totp.SecretFromBytes([]byte("12345678901234567890"))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	fmt.Println(verifier.Verify(ctx, "user-42", secret, "081 804"))
	err = verifier.Verify(ctx, "user-42", secret, "081804")
	fmt.Println(errors.Is(err, totp.ErrReplayedCode))
	err = verifier.Verify(ctx, "user-42", secret, "123456")
	fmt.Println(errors.Is(err, totp.ErrInvalidCode))

	// Output:
	// <nil>
	// true
	// true
}

// Lock-out: after MaxFailures wrong codes the user must wait.
func ExampleLockedOutError() {
	at := time.Unix(1111111109, 0)
	verifier := totp.MustNew(totp.Config{
		Issuer:      "Example Corp",
		MaxFailures: 2,
		Now:         func() time.Time { return at },
	})
	secret, _ := totp.SecretFromBytes([]byte("12345678901234567890"))
	ctx := context.Background()
	for range 2 {
		_ = verifier.Verify(ctx, "user-42", secret, "000000")
	}
	err := verifier.Verify(ctx, "user-42", secret, "081804")
	var locked *totp.LockedOutError
	if errors.As(err, &locked) {
		fmt.Println("try again in", locked.RetryAfter(at))
	}
	// Output:
	// try again in 15m0s
}

// Backup codes: generate once, show them, verify each at most once.
func ExampleBackupCodes() {
	codes, err := totp.NewBackupCodes(totp.BackupConfig{
		// Derive this from your app secret (HKDF); never hard-code it.
		Key:   []byte("an example key of at least 32 bytes!"),
		Store: totp.NewMemoryStore(), // use totp/redisstore or your database
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	list, err := codes.Generate(ctx, "user-42")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(list), "codes of", len(list[0]), "characters")

	fmt.Println(codes.Verify(ctx, "user-42", list[0]))
	fmt.Println(errors.Is(codes.Verify(ctx, "user-42", list[0]), totp.ErrInvalidCode))
	left, _ := codes.Remaining(ctx, "user-42")
	fmt.Println(left, "left")

	// Output:
	// 10 codes of 19 characters
	// <nil>
	// true
	// 9 left
}
