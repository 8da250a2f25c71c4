package ratelimit_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/bulwark-go/bulwark/ratelimit"
)

// FuzzIPKey feeds hostile peer addresses and X-Forwarded-For headers to
// IPKey. It must never panic, never skip, and return either "unknown" or a
// canonical address or prefix that is the peer itself unless the peer is
// a trusted proxy, with IPv6 clients never keyed finer than /64.
func FuzzIPKey(f *testing.F) {
	seeds := []struct{ remote, xff string }{
		{"203.0.113.9:1234", ""},
		{"10.0.0.1:1", "198.51.100.1"},
		{"10.0.0.1:1", "1.2.3.4, 198.51.100.1, 10.0.0.2"},
		{"10.0.0.1:1", "2001:db8::1"},
		{"[fd00::1]:1", "[2001:db8::1]:443, garbage"},
		{"10.0.0.1:1", strings.Repeat("10.0.0.3,", 100)},
		{"10.0.0.1:1", "::ffff:10.0.0.3, fe80::1%eth0"},
		{"@", "\x00\xff,,, ,"},
		{"[::1]", "999.999.999.999"},
		{"", ""},
		{"[2002:cb00:7109::1]:1", ""},
		{"10.0.0.1:1", "2001:0:4136:e378:8000:63bf:3fff:fdd2"},
	}
	for _, s := range seeds {
		f.Add(s.remote, s.xff)
	}
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	key, err := ratelimit.IPKey(ratelimit.IPKeyConfig{TrustedProxies: trusted})
	if err != nil {
		f.Fatal(err)
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header["X-Forwarded-For"] = strings.Split(xff, "\n")
		got, ok := key(r)
		if !ok {
			t.Fatalf("IPKey skipped RemoteAddr %q", remote)
		}
		if got == "unknown" {
			return
		}
		// Transition keys are IPv4 keys (one address: IPv4Prefix is the
		// default 32 here) in a namespace of their own.
		base, ns := got, ""
		for _, prefix := range []string{"6to4:", "teredo:"} {
			if rest, ok := strings.CutPrefix(got, prefix); ok {
				base, ns = rest, prefix
			}
		}
		if ap, err := netip.ParseAddrPort(remote); err == nil && !isTrusted(ap.Addr().Unmap()) {
			// The peer is the client: its kind decides the namespace.
			want := ""
			switch c := ap.Addr().Unmap(); {
			case netip.MustParsePrefix("2002::/16").Contains(c):
				want = "6to4:"
			case netip.MustParsePrefix("2001::/32").Contains(c):
				want = "teredo:"
			}
			if ns != want {
				t.Fatalf("client %v got key %q: want namespace %q", ap.Addr(), got, want)
			}
		}
		if ns != "" {
			if a, err := netip.ParseAddr(base); err != nil || !a.Is4() || a.String() != base {
				t.Fatalf("key %q: a transition key must hold one canonical IPv4 address", got)
			}
		} else if p, err := netip.ParsePrefix(got); err == nil {
			if p.String() != got || p.Masked() != p {
				t.Fatalf("key %q is not a canonical prefix", got)
			}
			if !p.Addr().Is6() || p.Bits() > 64 {
				t.Fatalf("key %q: only IPv6 clients are keyed by prefix, at most /64", got)
			}
		} else if a, err := netip.ParseAddr(got); err == nil {
			if a.String() != got || !a.Is4() {
				t.Fatalf("key %q is not a canonical IPv4 address", got)
			}
		} else {
			t.Fatalf("key %q is neither an address nor a prefix", got)
		}
		// An untrusted peer's headers must not matter.
		if ap, err := netip.ParseAddrPort(remote); err == nil && !isTrusted(ap.Addr().Unmap()) {
			r.Header.Del("X-Forwarded-For")
			if again, _ := key(r); again != got {
				t.Fatalf("untrusted peer %q chose its key through X-Forwarded-For: %q vs %q", remote, got, again)
			}
		}
	})
}

var hashedKey = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)

// FuzzFormKey feeds hostile bodies and content types to FormKey. It must
// never panic, never read past MaxBodyBytes, and return a 22-character
// hash, the shared "invalid-form" key, or skip.
func FuzzFormKey(f *testing.F) {
	f.Add("email=alice%40example.com", "application/x-www-form-urlencoded")
	f.Add("email=%zz", "application/x-www-form-urlencoded")
	f.Add("--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@b\r\n--b--\r\n", "multipart/form-data; boundary=b")
	f.Add("--b\r\n\r\n", "multipart/form-data; boundary=")
	f.Add(strings.Repeat("a=b&", 100), "application/x-www-form-urlencoded; charset=utf-8")
	f.Add("email=x", "text/plain")
	f.Add("", "")
	const max = 256
	key, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret, MaxBodyBytes: max})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body, contentType string) {
		rd := &countingReader{r: strings.NewReader(body)}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Body = rd
		r.Header.Set("Content-Type", contentType)
		got, ok := key(r)
		if rd.n > max+1 {
			t.Fatalf("read %d bytes, limit %d", rd.n, max)
		}
		if !ok {
			return
		}
		if got != "invalid-form" && !hashedKey.MatchString(got) {
			t.Fatalf("key %q is neither a hash nor invalid-form", got)
		}
	})
}

type countingReader struct {
	r *strings.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Close() error { return nil }

// TestFormKeyConstruction pins the documented key construction, so a
// change (which would orphan every key in a shared store) is deliberate:
// base64url(HMAC-SHA256(secret, "bulwark ratelimit key v1\x00" ||
// lower(trim(value)))[:16]).
func TestFormKeyConstruction(t *testing.T) {
	m := hmac.New(sha256.New, testSecret)
	m.Write([]byte("bulwark ratelimit key v1\x00alice@example.com"))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
	key, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := key(formRequest("email=%20Alice%40example.com", "application/x-www-form-urlencoded"))
	if !ok || got != want {
		t.Fatalf("FormKey = %q, %v, want %q", got, ok, want)
	}
}
