// Package totp compares TOTP verification in bulwark/totp with raw
// github.com/pquerna/otp/totp.
//
// Identical work: both check a 6-digit SHA-1 code against the same secret at
// the same time with one step of skew either side, exactly the parameters of
// pquerna's totp.Validate (which is ValidateCustom with time.Now). The clock
// is injected so that the benchmark can move through time: bulwark rejects a
// code it has already accepted (that is its point), so each iteration uses a
// fresh (user, step) pair, and pquerna gets the same sequence. bulwark also
// does its extra work on every call: input normalisation, the attempt
// counter and the replay compare-and-set in the in-memory store.
package totp

import (
	"context"
	"time"

	"github.com/pquerna/otp"
	ptotp "github.com/pquerna/otp/totp"

	btotp "github.com/bulwark-go/bulwark/totp"
)

// Secret is the RFC 6238 SHA-1 seed "12345678901234567890" in base32.
const Secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

// Users is how many users the workload rotates through.
const Users = 1024

// Base is the first time of the workload, 10 seconds into a step.
var Base = time.Unix(1764090010, 0).UTC()

// Impl verifies code for user at time at and reports whether it was accepted.
type Impl func(user string, at time.Time, code string) bool

// Names lists the implementations in table order.
func Names() []string { return []string{"bulwark", "pquerna"} }

// Impls returns fresh implementations (bulwark with an empty memory store).
func Impls() (map[string]Impl, error) {
	secret, err := btotp.ParseSecret(Secret)
	if err != nil {
		return nil, err
	}
	var now time.Time
	v, err := btotp.New(btotp.Config{
		Issuer:      "Bench",
		MaxFailures: 20,
		Now:         func() time.Time { return now },
	})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	opts := ptotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	return map[string]Impl{
		"bulwark": func(user string, at time.Time, code string) bool {
			now = at
			return v.Verify(ctx, user, secret, code) == nil
		},
		"pquerna": func(_ string, at time.Time, code string) bool {
			ok, err := ptotp.ValidateCustom(code, Secret, at, opts)
			return ok && err == nil
		},
	}, nil
}

// Workload is the sequence of verifications: call i is for user Users[i %
// len(Users)] at Time(i) with Codes[i / len(Users)].
type Workload struct {
	Users []string
	Codes []string
}

// NewWorkload precomputes enough codes for n calls.
func NewWorkload(n int) (*Workload, error) {
	w := &Workload{Users: make([]string, Users)}
	for i := range w.Users {
		w.Users[i] = "user-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	steps := n/Users + 1
	w.Codes = make([]string, steps)
	for s := range steps {
		c, err := ptotp.GenerateCodeCustom(Secret, Base.Add(time.Duration(s)*30*time.Second),
			ptotp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return nil, err
		}
		w.Codes[s] = c
	}
	return w, nil
}

// Call returns the user, time and code of call i.
func (w *Workload) Call(i int) (string, time.Time, string) {
	s := i / Users
	return w.Users[i%Users], Base.Add(time.Duration(s) * 30 * time.Second), w.Codes[s]
}
