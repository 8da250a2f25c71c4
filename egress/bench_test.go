package egress

import (
	"context"
	"net/netip"
	"testing"
)

func BenchmarkCheckAddr(b *testing.B) {
	p := mustPolicy(b, Config{})
	for _, addr := range []string{"93.184.215.14", "2606:4700:4700::1111", "10.0.0.1"} {
		a := netip.MustParseAddr(addr)
		b.Run(addr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.CheckAddr(a)
			}
		})
	}
}

// BenchmarkControl is the connect-time hook as net.Dialer calls it, for a
// permitted public address.
func BenchmarkControl(b *testing.B) {
	p := mustPolicy(b, Config{})
	ctx := context.Background()
	for _, addr := range []string{"93.184.215.14:443", "[2606:4700:4700::1111]:443"} {
		b.Run(addr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := p.Control(ctx, "tcp", addr, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkValidateURL(b *testing.B) {
	p := mustPolicy(b, Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.ValidateURL("https://acme.atlassian.net/rest/api/3/issue"); err != nil {
			b.Fatal(err)
		}
	}
}
