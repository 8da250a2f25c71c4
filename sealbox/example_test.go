package sealbox_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/bulwark-go/bulwark/sealbox"
)

// Sealing a third-party API token for a text column, bound to the
// organisation, record and field it belongs to.
func Example() {
	// In production: key, err := sealbox.FromEnv("APP_SECRET")
	secret, err := sealbox.GenerateSecret()
	if err != nil {
		log.Fatal(err)
	}
	key, err := sealbox.ParseKey(secret)
	if err != nil {
		log.Fatal(err)
	}
	ring, err := sealbox.New(sealbox.Config{Primary: key})
	if err != nil {
		log.Fatal(err)
	}

	aad := sealbox.AAD("org", "acme", "integration", "jira", "field", "api_token")
	stored, err := ring.SealText(sealbox.NewSecret("jira_pat_0123456789abcdef"), aad)
	if err != nil {
		log.Fatal(err)
	}

	token, err := ring.OpenText(stored, aad)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged as:", token)
	fmt.Println("shown as: ", token.Mask())
	fmt.Println("used as:  ", token.Reveal())

	// The same value does not open for another organisation.
	_, err = ring.OpenText(stored, sealbox.AAD("org", "evil", "integration", "jira", "field", "api_token"))
	fmt.Println("moved to another org:", err)
	// Output:
	// logged as: [REDACTED]
	// shown as:  jira••••cdef
	// used as:   jira_pat_0123456789abcdef
	// moved to another org: sealbox: decryption failed
}

// Rotating keys: the new secret becomes the primary, the old one stays
// readable until every stored value has been re-wrapped.
func ExampleKeyring_RewrapAll() {
	oldKey := mustKey(bytesOf(1))
	newKey := mustKey(bytesOf(2))

	oldRing, _ := sealbox.New(sealbox.Config{Primary: oldKey})
	aad := sealbox.AAD("org", "acme", "field", "github_token")
	stored, _ := oldRing.Seal([]byte("ghp_example"), aad)
	db := map[string][]byte{"acme/github_token": stored}

	ring, err := sealbox.New(sealbox.Config{Primary: newKey, Previous: []*sealbox.Key{oldKey}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("needs rotation:", ring.NeedsRotation(db["acme/github_token"]))

	items := func(yield func(sealbox.Item, error) bool) {
		for ref, ct := range db {
			if !yield(sealbox.Item{Ref: ref, Ciphertext: ct, AAD: aad}, nil) {
				return
			}
		}
	}
	save := func(_ context.Context, it sealbox.Item, rewrapped []byte) error {
		db[it.Ref] = rewrapped // in SQL: UPDATE ... WHERE id = $1 AND value = $old
		return nil
	}
	sum, err := ring.RewrapAll(context.Background(), items, save, func(r sealbox.Result) {
		fmt.Println(r.Ref, r.Outcome)
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("rewrapped %d, failed %d\n", sum.Rewrapped, sum.Failed)

	// The old key can now be removed.
	newOnly, _ := sealbox.New(sealbox.Config{Primary: newKey})
	pt, err := newOnly.Open(db["acme/github_token"], aad)
	fmt.Println(string(pt), err)
	// Output:
	// needs rotation: true
	// acme/github_token rewrapped
	// rewrapped 1, failed 0
	// ghp_example <nil>
}

func ExampleMask() {
	fmt.Println(sealbox.Mask("sk_live_abcd1234"))
	fmt.Println(sealbox.Mask("ключ_доступа_9876"))
	fmt.Println(sealbox.Mask("short"))
	// Output:
	// sk_l••••1234
	// ключ••••9876
	// ••••
}

func ExampleSecret() {
	token := sealbox.NewSecret("xoxb-0123456789")
	fmt.Printf("%v %s %#v %q\n", token, token, token, token)
	// Output:
	// [REDACTED] [REDACTED] [REDACTED] [REDACTED]
}

func ExampleAAD() {
	fmt.Printf("%x\n", sealbox.AAD("org", "42"))
	// Output:
	// 000000036f7267000000023432
}

func ExampleFromEnv() {
	os.Setenv("EXAMPLE_APP_SECRET", "hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	key, err := sealbox.FromEnv("EXAMPLE_APP_SECRET")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key) // key material never prints
	_, err = sealbox.FromEnv("EXAMPLE_UNSET_SECRET")
	fmt.Println(err)
	// Output:
	// [REDACTED]
	// sealbox: environment variable EXAMPLE_UNSET_SECRET is not set
}

func bytesOf(b byte) []byte {
	s := make([]byte, 32)
	for i := range s {
		s[i] = b
	}
	return s
}

func mustKey(secret []byte) *sealbox.Key {
	k, err := sealbox.FromBytes(secret)
	if err != nil {
		log.Fatal(err)
	}
	return k
}
