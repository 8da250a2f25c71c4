package egress

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

func FuzzValidateURL(f *testing.F) {
	for _, s := range []string{
		"https://acme.atlassian.net/", "http://2130706433/", "http://0177.0.0.1/",
		"http://[::ffff:127.0.0.1]/", "http://localhost./", "https://u:p@x.example/",
		"http://[fe80::1%25eth0]/", "http://169.254.169.254/", "https://x.example:8443/",
		"http://[::ffff:7f00:1]:80/", "HTTP://EXAMPLE.COM", "//example.com", "http:\\\\example.com",
		// Filter-bypass spellings seen in SSRF write-ups.
		"http://%31%32%37.0.0.1/", "http://[64:ff9b::a9fe:a9fe]/", "http://0x7f000001/", "http://[::]/",
		"http://0/", "http://017700000001/", "https://example.com%2F@evil/", "http://\uff4cocalhost/",
		"http://localhost%00.example.com/", "http://127.0.0.1:80@evil.com/", "http://evil.com#@127.0.0.1/",
		"http://[0:0:0:0:0:ffff:127.0.0.1]/", "http://1.1.1.1&@2.2.2.2#@3.3.3.3/", "http://[2002:a9fe:a9fe::]/",
		"http://a.localhost/", "https://example.com:0/", "https://example.com:65536/", "http://[::1%2525lo]/",
	} {
		f.Add(s)
	}
	p, err := NewPolicy(Config{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := p.ValidateURL(raw)
		if err != nil {
			if u != nil {
				t.Fatalf("ValidateURL(%q) returned a URL with error %v", raw, err)
			}
			return
		}
		// Whatever is accepted must pass again and name no denied literal.
		if err := p.CheckURL(u); err != nil {
			t.Fatalf("ValidateURL(%q) accepted, CheckURL(%v) = %v", raw, u, err)
		}
		if u.User != nil {
			t.Fatalf("ValidateURL(%q) accepted credentials", raw)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil {
			if p.CheckAddr(a) != nil {
				t.Fatalf("ValidateURL(%q) accepted denied literal %v", raw, a)
			}
		}
	})
}

func FuzzControl(f *testing.F) {
	f.Add("tcp", "127.0.0.1:80")
	f.Add("tcp6", "[::ffff:169.254.169.254]:443")
	f.Add("tcp", "[fe80::1%eth0]:80")
	f.Add("udp", "8.8.8.8:53")
	f.Add("tcp6", "[64:ff9b::a9fe:a9fe]:80")
	f.Add("tcp6", "[2002:a9fe:a9fe::1]:80")
	f.Add("tcp6", "[2001:0:4136:e378:8000:63bf:5601:5601]:80")
	f.Add("tcp", "0.0.0.0:80")
	f.Add("tcp", "169.254.169.254:0")
	p, err := NewPolicy(Config{UnsafeAnyPort: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, network, address string) {
		err := p.Control(context.Background(), network, address, nil)
		if err != nil {
			return
		}
		ap, perr := netip.ParseAddrPort(address)
		if perr != nil {
			t.Fatalf("Control(%q) accepted an unparseable address", address)
		}
		if defaultClass(ap.Addr().Unmap()) != "" || ap.Addr().Zone() != "" {
			t.Fatalf("Control(%q) accepted a denied address", address)
		}
		if errors.Is(err, ErrDeniedAddress) {
			t.Fatal("unreachable")
		}
	})
}

// slowClass is the reference for defaultClass: netip.Prefix.Contains over
// the published tables, with no bit tricks.
func slowClass(a netip.Addr) string {
	table := defaultDenyV6
	if a.Is4() {
		table = defaultDenyV4
	}
	for _, r := range table {
		if r.prefix.Contains(a) {
			return r.class
		}
	}
	if a.Is6() && a.As16()[0] == 0x20 && a.As16()[1] == 0x02 {
		b := a.As16()
		if slowClass(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})) != "" {
			return ClassTranslated
		}
	}
	return ""
}

func FuzzDefaultClassMatchesPrefixTable(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add([]byte{169, 254, 169, 254})
	f.Add([]byte{0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54})
	f.Add([]byte{0x20, 0x02, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0x26, 0x06, 0x47, 0, 0x47, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		a = a.Unmap()
		if got, want := defaultClass(a), slowClass(a); got != want {
			t.Fatalf("defaultClass(%v) = %q, want %q", a, got, want)
		}
	})
}
