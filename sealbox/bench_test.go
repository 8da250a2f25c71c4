package sealbox

import (
	"crypto/hkdf"
	"crypto/sha256"
	"testing"
)

func benchKeyring(b *testing.B) *Keyring {
	b.Helper()
	k, err := FromBytes(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	r, err := New(Config{Primary: k})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

var benchSizes = []struct {
	name string
	n    int
}{
	{"64B", 64},
	{"1KiB", 1 << 10},
	{"64KiB", 64 << 10},
	{"1MiB", 1 << 20},
}

func BenchmarkSeal(b *testing.B) {
	r := benchKeyring(b)
	aad := AAD("org", "42", "field", "jira_token")
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			pt := make([]byte, size.n)
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Seal(pt, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	r := benchKeyring(b)
	aad := AAD("org", "42", "field", "jira_token")
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			ct, err := r.Seal(make([]byte, size.n), aad)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Open(ct, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkText(b *testing.B) {
	r := benchKeyring(b)
	aad := AAD("org", "42", "field", "jira_token")
	token := NewSecret("sk_live_0123456789abcdef0123456789abcdef")
	text, err := r.SealText(token, aad)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("SealText", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.SealText(token, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("OpenText", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.OpenText(text, aad); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDerive compares the precomputed per-message derivation with a full
// HKDF-Expand from the PRK.
func BenchmarkDerive(b *testing.B) {
	k, err := FromBytes(make([]byte, 32))
	if err != nil {
		b.Fatal(err)
	}
	salt := make([]byte, saltSize)
	b.Run("precomputed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := k.st.get()
			s.messageKey(salt)
			k.st.put(s)
		}
	})
	b.Run("hkdf.Expand", func(b *testing.B) {
		info := append([]byte(messageLabel), salt...)
		prk, err := hkdf.Extract(sha256.New, make([]byte, 32), []byte(extractSalt))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := hkdf.Expand(sha256.New, prk, string(info), 32); err != nil {
				b.Fatal(err)
			}
		}
	})
}
