package egress_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/bulwark-go/bulwark/egress"
)

// An integration form validates the customer's base URL when it is saved,
// then fetches through a client that checks every connection again.
func Example() {
	policy, err := egress.NewPolicy(egress.Config{})
	if err != nil {
		panic(err)
	}
	for _, raw := range []string{
		"https://acme.atlassian.net",
		"http://169.254.169.254/latest/meta-data/",
		"http://0177.0.0.1/",
		"https://admin:secret@jira.example.com/",
		"https://jira.example.com:8443/",
	} {
		_, err := policy.ValidateURL(raw)
		var denied *egress.DeniedError
		switch {
		case err == nil:
			fmt.Println("ok")
		case errors.As(err, &denied):
			fmt.Println("refused:", denied.Class)
		default:
			fmt.Println("refused:", err)
		}
	}
	// Output:
	// ok
	// refused: cloud metadata
	// refused: egress: ambiguous host: "0177.0.0.1" looks like a non-standard IPv4 address
	// refused: egress: credentials in URL
	// refused: egress: destination port not allowed: 8443
}

// An on-premises Jira on the corporate network is allowed by its address
// range; everything else private stays closed.
func ExampleNewClient() {
	client, err := egress.NewClient(egress.Config{
		AllowedSchemes:  []string{"https"},
		AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")},
	})
	if err != nil {
		panic(err)
	}
	_ = client // client.Get("https://jira.corp.example/rest/api/2/serverInfo")
	fmt.Println(client.Timeout)
	// Output: 30s
}
