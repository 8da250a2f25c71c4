package authn

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParsePHC(f *testing.F) {
	for _, v := range loadHasherVectors(f) {
		f.Add(v.Hash)
	}
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=,t=,p=$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := hasherParsePHC(s)
		if err != nil {
			return
		}
		// Whatever parses is canonical and within the limits.
		if got := hasherEncodePHC(p); got != s {
			t.Fatalf("hasherEncodePHC(hasherParsePHC(%q)) = %q", s, got)
		}
		if p.memory > hasherMaxMemoryKiB || p.time > hasherMaxTime || p.parallelism == 0 ||
			p.memory < 8*uint32(p.parallelism) || len(p.salt) < hasherMinSaltLen || len(p.key) < hasherMinKeyLen {
			t.Fatalf("out-of-range parameters accepted: %q", s)
		}
	})
}

func FuzzVerifyHashString(f *testing.F) {
	h := MustNewHasher(HasherConfig{Memory: 64, Time: 1, UnsafeWeakParameters: true})
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("password", "$2y$04$lp6F.v8BrUVvEK0SeG.BtuUjeIiGs4GZ33GN0kvdHh6niCj6E2aSO")
	f.Add("x", "$2b$99$lp6F.v8BrUVvEK0SeG.BtuUjeIiGs4GZ33GN0kvdHh6niCj6E2aSO")
	f.Fuzz(func(t *testing.T, pw, enc string) {
		if p, err := hasherParsePHC(enc); err == nil && (p.memory > 4096 || p.time > 4) {
			t.Skip("expensive but valid parameters")
		}
		err := h.Verify(context.Background(), pw, enc)
		if err != nil && !errors.Is(err, ErrInvalidCredentials) && !errors.Is(err, ErrHashFormat) {
			t.Fatalf("Verify returned an unexpected error: %v", err)
		}
	})
}

func FuzzTokenConsume(f *testing.F) {
	tokens := MustNewTokens(TokenConfig{Purpose: "fuzz", KeepPrevious: true})
	tok, err := tokens.Issue(context.Background(), "subject")
	if err != nil {
		f.Fatal(err)
	}
	v := tok.Value.Reveal()
	f.Add(v)
	f.Add(v[:42])
	f.Add(v + "=")
	f.Add(strings.ToUpper(v))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		sub, err := tokens.Consume(context.Background(), s)
		if err == nil {
			if s != v || sub != "subject" {
				t.Fatalf("Consume(%q) = %q, nil for a token never issued", s, sub)
			}
			// Put it back for later inputs.
			_ = tokens.store.SaveToken(context.Background(), TokenRecord{Key: tokens.key((*[32]byte)(mustB64(t, s))),
				Purpose: "fuzz", Subject: "subject", ExpiresAt: time.Now().Add(time.Hour)}, false)
			return
		}
		if !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("Consume(%q) = %v", s, err)
		}
	})
}

func mustB64(t *testing.T, s string) []byte {
	b, err := tokenB64.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzApprovalVerify(f *testing.F) {
	// A fixed key, so links signed in the coordinator verify in the fuzz
	// workers; the nonces and expiries differ per process, so the property
	// checks content, not membership in a set.
	a := MustNewApprovals(ApprovalConfig{Keys: []ApprovalKey{NewApprovalKey([]byte("0123456789abcdef0123456789abcdef"))}})
	subjects := map[string]bool{"s": true, "action-123": true, strings.Repeat("x", 512): true}
	for _, req := range []ApprovalRequest{
		{Purpose: "p", Subject: "s"},
		{Purpose: "p", Subject: "action-123", SingleUse: true},
		{Purpose: "p", Subject: strings.Repeat("x", 512), TTL: time.Hour},
	} {
		link, err := a.Sign(req)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(link)
	}
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		ap, err := a.Verify("p", s)
		if err == nil {
			raw, derr := approvalB64.DecodeString(s)
			if derr != nil || approvalB64.EncodeToString(raw) != s {
				t.Fatalf("Verify accepted a non-canonical link %q", s)
			}
			if ap.Purpose != "p" || !subjects[ap.Subject] {
				t.Fatalf("Verify accepted a link with forged content: %+v", ap)
			}
			return
		}
		if !errors.Is(err, ErrApprovalInvalid) && !errors.Is(err, ErrApprovalExpired) {
			t.Fatalf("Verify(%q) = %v", s, err)
		}
	})
}

func FuzzApprovalParse(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 'p', 0, 1, 's'})
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		ap, _, err := approvalParse(b)
		if err == nil && (ap.Purpose == "" || ap.Subject == "") {
			t.Fatalf("approvalParse(%x) accepted empty fields", b)
		}
	})
}

func FuzzPolicyCheck(f *testing.F) {
	p := MustNewPolicy(PolicyConfig{ContextWords: []string{"bulwark"}})
	for _, s := range []string{"password1", "correct horse battery staple", "ｐａｓｓｗｏｒｄ", "a\x00b", "\xff\xfe", "bulwark2024"} {
		f.Add(s, "alice@example.com")
	}
	f.Fuzz(func(t *testing.T, pw, user string) {
		err := p.Check(pw, user)
		if err == nil {
			if n := utf8.RuneCountInString(p.normalize(pw)); n < p.min || n > p.max {
				t.Fatalf("Check accepted a password of %d characters", n)
			}
			if !utf8.ValidString(pw) {
				t.Fatalf("Check accepted invalid UTF-8 %q", pw)
			}
		}
	})
}
