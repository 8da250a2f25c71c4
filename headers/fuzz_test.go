package headers

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzPolicy builds a one- or two-directive policy from arbitrary input.
// Validate must never panic, and whatever it accepts must serialize to a
// header that parses back to the same directives and sources, with no
// byte that could end the header or smuggle in another directive.
func FuzzPolicy(f *testing.F) {
	seeds := [][3]string{
		{"script-src", "'nonce-{per-request}'\n'strict-dynamic'", "object-src\n'none'"},
		{"script-src", "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='\n'unsafe-inline'", ""},
		{"img-src", "https://cdn.example.com:8443/img/\n*.example.com\ndata:", "default-src\n'self'"},
		{"img-src", "https://a.example; script-src *", ""},
		{"frame-ancestors", "'self'\nhttps://partner.example", "sandbox\nallow-forms"},
		{"report-to", "csp", "upgrade-insecure-requests"},
		{"script-src", "*", ""},
		{"script-src", "self", ""},
		{"trusted-types", "default\n'allow-duplicates'", "require-trusted-types-for\n'script'"},
		{"style-src", "'self'\n'unsafe-inline'\r\nX: y", ""},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, d1, s1, second string) {
		p := Policy{Directive(d1): splitSources(s1)}
		if d2, s2, ok := strings.Cut(second, "\n"); ok {
			p[Directive(d2)] = splitSources(s2)
		} else if second != "" {
			p[Directive(second)] = nil
		}
		if p.Validate() != nil {
			return
		}
		c := compilePolicy(p)
		header := c.render("AAAAAAAAAAAAAAAAAAAAAA==")
		for i := 0; i < len(header); i++ {
			if b := header[i]; b < ' ' || b >= 0x7f || b == ',' {
				t.Fatalf("accepted policy %v serializes to %q with byte %q", p, header, b)
			}
		}
		got := Policy{}
		for dir := range strings.SplitSeq(header, "; ") {
			fields := strings.Fields(dir)
			if len(fields) == 0 {
				t.Fatalf("empty directive in %q", header)
			}
			name := Directive(fields[0])
			if _, dup := got[name]; dup {
				t.Fatalf("directive %s twice in %q", name, header)
			}
			var src []Source
			for _, s := range fields[1:] {
				if s == "'nonce-AAAAAAAAAAAAAAAAAAAAAA=='" {
					s = string(RequestNonce)
				}
				src = append(src, Source(s))
			}
			got[name] = src
		}
		if len(got) != len(p) {
			t.Fatalf("policy %v became %q with %d directives", p, header, len(got))
		}
		for d, want := range p {
			if strings.Join(srcStrings(dedupe(want)), " ") != strings.Join(srcStrings(got[d]), " ") {
				t.Fatalf("directive %s: sources %q became %q in %q", d, want, got[d], header)
			}
		}
	})
}

func splitSources(s string) []Source {
	if s == "" {
		return nil
	}
	var out []Source
	for _, x := range strings.Split(s, "\n") {
		out = append(out, Source(x))
	}
	return out
}

func srcStrings(s []Source) []string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

// FuzzOriginPattern checks the CORS subdomain matcher against an
// independent oracle built on net/url: whatever it lets through must be an
// https origin with no user info, path, query or fragment, the pattern's
// port, and a host strictly under the pattern's domain.
func FuzzOriginPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"https://*.example.com", "https://a.example.com"},
		{"https://*.example.com", "https://a.b.example.com"},
		{"https://*.example.com", "https://example.com"},
		{"https://*.example.com", "https://evilexample.com"},
		{"https://*.example.com", "https://a.example.com.evil.com"},
		{"https://*.example.com", "https://a.example.com:443"},
		{"https://*.example.com", "https://u@a.example.com"},
		{"https://*.example.com", "https://a.example.com/"},
		{"https://*.example.com:8443", "https://a.example.com:8443"},
		{"https://*.example.com:8443", "https://a.example.com"},
		{"https://*.com", "https://a.com"},
		{"http://*.example.com", "http://a.example.com"},
		{"https://*.example.com", "null"},
		{"https://*.example.com", "https://a%2eb.example.com"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, origin string) {
		p, err := parseOriginPattern(pattern)
		if err != nil {
			return
		}
		if p.String() != pattern {
			t.Fatalf("pattern %q reads back as %q", pattern, p.String())
		}
		if !p.match(origin) {
			return
		}
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatalf("%q matched %q but does not parse: %v", origin, pattern, err)
		}
		if u.Scheme != "https" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("%q matched %q but is not a bare https origin: %#v", origin, pattern, u)
		}
		if ":"+u.Port() != p.port && !(u.Port() == "" && p.port == "") {
			t.Fatalf("%q matched %q with port %q", origin, pattern, u.Port())
		}
		host := u.Hostname()
		if !strings.HasSuffix(host, p.suffix) || len(host) == len(p.suffix) || host != strings.ToLower(host) {
			t.Fatalf("%q matched %q but host %q is not a subdomain of %q", origin, pattern, host, p.suffix[1:])
		}
		if _, _, _, err := checkOrigin(origin); err != nil {
			t.Fatalf("%q matched %q but is not a canonical origin: %v", origin, pattern, err)
		}
	})
}

// FuzzCheckOrigin: every origin accepted for configuration is exactly what
// net/url reconstructs from it, so it can equal a browser's Origin header.
func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"https://a.example", "http://localhost:3000", "https://[2001:db8::1]:8443", "https://A.example", "https://a.example/", "null", "https://a.example:443", "https://u@a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		scheme, host, port, err := checkOrigin(origin)
		if err != nil {
			return
		}
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatalf("accepted %q does not parse: %v", origin, err)
		}
		if u.Scheme != scheme || u.Host != host+map[bool]string{true: ":" + port, false: ""}[port != ""] ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || u.String() != origin {
			t.Fatalf("accepted %q is not a bare origin: %#v", origin, u)
		}
	})
}
