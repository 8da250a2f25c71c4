package redisstore

import (
	"strings"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
)

// FuzzTokenDecode feeds arbitrary record values, as a tampered or corrupt
// Redis could return them, to the decoder: it must return an error or a
// record, never panic, and must invert tokenEncode.
func FuzzTokenDecode(f *testing.F) {
	rec := authn.TokenRecord{Purpose: "password-reset", Subject: "user-42", ExpiresAt: time.UnixMilli(1_800_000_000_000)}
	valid := tokenEncode(tokenSubjectID(rec.Purpose, rec.Subject), rec)
	f.Add(valid)
	f.Add(valid[:64+8+2])             // empty purpose and subject
	f.Add(valid[:64+8+2+3])           // purpose cut short
	f.Add(valid[:64+8+1])             // one byte short of the fixed part
	f.Add("")                         // nothing
	f.Add(strings.Repeat("\xff", 80)) // purpose length 65535, little data
	f.Fuzz(func(t *testing.T, v string) {
		got, err := tokenDecode(v)
		if err != nil {
			return
		}
		if len(got.Purpose) > 0xFFFF {
			t.Fatalf("tokenDecode(%q) purpose of %d bytes", v, len(got.Purpose))
		}
		again := tokenEncode(v[:64], got)
		if again != v {
			t.Fatalf("tokenEncode(tokenDecode(%q)) = %q", v, again)
		}
	})
}
