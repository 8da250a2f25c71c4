package argon2

import "testing"

const benchPassword = "correct horse battery staple"

// BenchmarkArgon2 hashes one password with a fresh salt.
func BenchmarkArgon2(b *testing.B) {
	impls, err := Impls()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range Names() {
		impl := impls[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.Hash(benchPassword); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkArgon2Verify verifies the correct password against a hash made
// by the same implementation.
func BenchmarkArgon2Verify(b *testing.B) {
	impls, err := Impls()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range Names() {
		impl := impls[name]
		hash, err := impl.Hash(benchPassword)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if ok, err := impl.Verify(benchPassword, hash); err != nil || !ok {
					b.Fatal("verify failed", err)
				}
			}
		})
	}
}
