package sealbox

import (
	"crypto/rand"
	"testing"
)

func benchSeal(b *testing.B, size int) {
	impls, err := Impls()
	if err != nil {
		b.Fatal(err)
	}
	pt := make([]byte, size)
	_, _ = rand.Read(pt)
	for _, name := range Names() {
		impl := impls[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.Seal(pt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchOpen(b *testing.B, size int) {
	impls, err := Impls()
	if err != nil {
		b.Fatal(err)
	}
	pt := make([]byte, size)
	_, _ = rand.Read(pt)
	for _, name := range Names() {
		impl := impls[name]
		ct, err := impl.Seal(pt)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.Open(ct); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A 64-byte plaintext is the size of a typical API token.
func BenchmarkSeal64(b *testing.B)  { benchSeal(b, 64) }
func BenchmarkOpen64(b *testing.B)  { benchOpen(b, 64) }
func BenchmarkSeal64K(b *testing.B) { benchSeal(b, 64<<10) }
func BenchmarkOpen64K(b *testing.B) { benchOpen(b, 64<<10) }
