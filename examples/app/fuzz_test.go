package main

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath checks that whatever ?next= holds, the redirect target stays
// on this site: a single leading slash, no scheme, no host, no backslash or
// control characters that browsers might reinterpret.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/orgs/abc", "//evil.example", "/\\evil.example", "https://evil.example/",
		"javascript:alert(1)", "/%2F%2Fevil.example", "/\t/evil.example", "", "orgs", "/a?b=c#d", "/..//evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		if out != "/" && out != in {
			t.Fatalf("localPath(%q) = %q: must be the input or /", in, out)
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsFunc(out, func(c rune) bool { return c == '\\' || c < 0x20 || c == 0x7f }) {
			t.Fatalf("localPath(%q) = %q is not a same-site path", in, out)
		}
		u, err := url.Parse(out)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q parses with host %q scheme %q (err %v)", in, out, u.Host, u.Scheme, err)
		}
	})
}
