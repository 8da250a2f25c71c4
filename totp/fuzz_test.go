package totp

import (
	"bytes"
	"strings"
	"testing"
)

// Seeds: the RFC 6238 Appendix B codes, typical user input and edge cases.
var codeSeeds = []string{
	"94287082", "07081804", "14050471", "89005924", "69279037", "65353130",
	"46119246", "90693936", "287 082", "287-082", " 287082 ", "", "-", "12345",
	"1234567", "12345a", "１２３４５６", "123\x00456", strings.Repeat("1", 40),
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range codeSeeds {
		f.Add(s, 6)
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, code string, digits int) {
		var dst [8]byte
		ok := normalizeCode(code, digits, &dst)
		if !ok {
			return
		}
		if digits < 1 || digits > 8 {
			t.Fatalf("accepted digits=%d", digits)
		}
		stripped := strings.NewReplacer(" ", "", "-", "").Replace(code)
		if stripped != string(dst[:digits]) {
			t.Fatalf("normalizeCode(%q) = %q, want %q", code, dst[:digits], stripped)
		}
		for _, c := range dst[:digits] {
			if c < '0' || c > '9' {
				t.Fatalf("normalizeCode(%q) produced non-digit %q", code, c)
			}
		}
	})
}

var backupSeeds = []string{
	"7KQ2-M9XD-4T0V-PB8E", "7kq2m9xd4t0vpb8e", "7KQ2 M9XD 4TOV PB8E", "ILIL-ilil-0000-oooo",
	"UUUU-UUUU-UUUU-UUUU", "", "----", "7KQ2-M9XD-4T0V-PB8", "7KQ2-M9XD-4T0V-PB8EE",
	"Ä7KQ-M9XD-4T0V-PB8E", strings.Repeat("0", 80),
}

func FuzzNormalizeBackupCode(f *testing.F) {
	for _, s := range backupSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var dst [backupCodeChars]byte
		if !normalizeBackupCode(s, &dst) {
			return
		}
		for _, c := range dst {
			if !strings.ContainsRune(crockford, rune(c)) {
				t.Fatalf("normalizeBackupCode(%q) produced %q outside the alphabet", s, c)
			}
		}
		// The canonical form is a fixed point.
		var again [backupCodeChars]byte
		if !normalizeBackupCode(string(dst[:]), &again) || again != dst {
			t.Fatalf("normalizeBackupCode is not idempotent on %q", dst[:])
		}
		// Grouping the canonical form parses back to it.
		grouped := string(dst[0:4]) + "-" + string(dst[4:8]) + "-" + string(dst[8:12]) + "-" + string(dst[12:16])
		var g [backupCodeChars]byte
		if !normalizeBackupCode(grouped, &g) || g != dst {
			t.Fatalf("grouped form %q does not parse back", grouped)
		}
	})
}

func FuzzEncodeBackupCode(f *testing.F) {
	f.Add([]byte("0123456789"))
	f.Add(bytes.Repeat([]byte{0xff}, 10))
	f.Add(make([]byte, 10))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) != backupCodeBytes {
			return
		}
		var raw [backupCodeBytes]byte
		copy(raw[:], b)
		code := encodeBackupCode(&raw)
		if len(code) != 19 || strings.Count(code, "-") != 3 {
			t.Fatalf("encodeBackupCode(%x) = %q, bad shape", b, code)
		}
		var dst [backupCodeChars]byte
		if !normalizeBackupCode(code, &dst) {
			t.Fatalf("encodeBackupCode(%x) = %q does not parse", b, code)
		}
		if string(dst[:]) != strings.ReplaceAll(code, "-", "") {
			t.Fatalf("normalizing %q changed it to %q", code, dst[:])
		}
	})
}

func FuzzParseSecret(f *testing.F) {
	for _, s := range []string{
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ====", "", "====", "GEZD=GNBV", "01234567",
		"JBSWY3DPEHPK3PXP", strings.Repeat("A", 520),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, err := ParseSecret(s)
		if err != nil {
			if err != ErrInvalidSecret {
				t.Fatalf("ParseSecret(%q) error %v, want ErrInvalidSecret", s, err)
			}
			return
		}
		if n := len(sec.Bytes()); n < MinSecretBytes || n > maxSecretBytes {
			t.Fatalf("ParseSecret(%q) accepted %d bytes", s, n)
		}
		back, err := ParseSecret(sec.Base32())
		if err != nil || !bytes.Equal(back.Bytes(), sec.Bytes()) {
			t.Fatalf("Base32 round trip failed for %q", s)
		}
	})
}
