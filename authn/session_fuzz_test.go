package authn

import (
	"net/http"
	"strings"
	"testing"
)

const sessionFuzzToken = "Ey1aV4lq0XbqX8Jm1-sO7n2Kf3hYb0p9Zc5Rt6Uw8Ag"

func TestSessionCookieValue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lines  []string
		want   string
		wantOK bool
	}{
		{"the only cookie", []string{"__Host-session=abc"}, "abc", true},
		{"among others", []string{"a=1; __Host-session=abc; b=2"}, "abc", true},
		{"without spaces", []string{"a=1;__Host-session=abc;b=2"}, "abc", true},
		{"in a second Cookie line", []string{"a=1", "__Host-session=abc"}, "abc", true},
		{"the first of two", []string{"__Host-session=first; __Host-session=second"}, "first", true},
		{"a name that only ends like ours", []string{"x__Host-session=abc"}, "", false},
		{"the unprefixed name", []string{"session=abc"}, "", false},
		{"a name without a value", []string{"__Host-session"}, "", false},
		{"an empty value", []string{"__Host-session="}, "", true},
		{"no Cookie header", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tc.lines {
				h.Add("Cookie", l)
			}
			got, ok := sessionCookieValue(h, "__Host-session")
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("sessionCookieValue(%q) = %q, %v, want %q, %v", tc.lines, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestSessionBearer(t *testing.T) {
	for _, tc := range []struct {
		name        string
		values      []string
		want        string
		wantPresent bool
	}{
		{"a bearer token", []string{"Bearer " + sessionFuzzToken}, sessionFuzzToken, true},
		{"a lower-case scheme", []string{"bearer " + sessionFuzzToken}, sessionFuzzToken, true},
		{"extra spaces", []string{"Bearer   " + sessionFuzzToken + " "}, sessionFuzzToken, true},
		{"basic credentials", []string{"Basic dXNlcjpwYXNz"}, "", false},
		{"a scheme without a token", []string{"Bearer"}, "", false},
		{"two Authorization headers", []string{"Bearer " + sessionFuzzToken, "Bearer x"}, "", true},
		{"no header", nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{"Authorization": tc.values}
			got, present := sessionBearer(h)
			if got != tc.want || present != tc.wantPresent {
				t.Fatalf("sessionBearer(%q) = %q, %v, want %q, %v", tc.values, got, present, tc.want, tc.wantPresent)
			}
		})
	}
}

// FuzzSessionCookieValue checks the allocation-free cookie reader against
// net/http: whatever it returns that parses as a token is exactly what
// net/http sees as that cookie.
func FuzzSessionCookieValue(f *testing.F) {
	for _, s := range []string{
		"__Host-session=" + sessionFuzzToken,
		"a=1; __Host-session=" + sessionFuzzToken + "; b=2",
		"__Host-session=\"" + sessionFuzzToken + "\"",
		"__Host-session=" + sessionFuzzToken + "; __Host-session=x",
		" __Host-session = " + sessionFuzzToken,
		"__Host-session=" + sessionFuzzToken + ";",
		";;;=;",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		h := http.Header{"Cookie": {line}}
		v, ok := sessionCookieValue(h, "__Host-session")
		if !ok {
			return
		}
		if strings.Contains(v, ";") {
			t.Fatalf("value %q contains ';'", v)
		}
		if _, valid := sessionParseToken(v); !valid {
			return
		}
		r := &http.Request{Header: h}
		c, err := r.Cookie("__Host-session")
		if err != nil || c.Value != v {
			t.Fatalf("sessionCookieValue(%q) = %q, net/http sees %v, %v", line, v, c, err)
		}
	})
}

// FuzzSessionBearer checks that a token is accepted only from a single
// well-formed "Bearer <token>" header.
func FuzzSessionBearer(f *testing.F) {
	for _, s := range []string{"Bearer " + sessionFuzzToken, "bearer " + sessionFuzzToken, "Bearer  " + sessionFuzzToken + " ", "Basic x", "Bearer", "BEARER\t" + sessionFuzzToken, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tok, present := sessionBearer(http.Header{"Authorization": {v}})
		if !present {
			if tok != "" {
				t.Fatalf("token %q without a Bearer credential", tok)
			}
			return
		}
		if !strings.EqualFold(v[:7], "bearer ") {
			t.Fatalf("sessionBearer(%q) accepted another scheme", v)
		}
		if _, valid := sessionParseToken(tok); valid && strings.TrimSpace(v[7:]) != tok {
			t.Fatalf("sessionBearer(%q) = %q: token is not the whole credential", v, tok)
		}
	})
}

// FuzzParseSessionToken checks that only canonical 43-character base64url
// strings parse, and that parsing is deterministic.
func FuzzParseSessionToken(f *testing.F) {
	for _, s := range []string{sessionFuzzToken, strings.Repeat("A", 43), strings.Repeat("B", 43), sessionFuzzToken + "=", "", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := sessionParseToken(s)
		if !ok {
			return
		}
		if len(s) != sessionTokenLen {
			t.Fatalf("parsed a token of length %d", len(s))
		}
		var raw [32]byte
		if !sessionDecode(&raw, s) || sessionEncoding.EncodeToString(raw[:]) != s {
			t.Fatalf("%q is not canonical", s)
		}
		if id2, _ := sessionParseToken(s); id2 != id {
			t.Fatal("parsing is not deterministic")
		}
		if pid, err := ParseSessionID(s); err != nil || pid.String() != s {
			t.Fatalf("ParseSessionID(%q) = %v, %v", s, pid, err)
		}
	})
}
