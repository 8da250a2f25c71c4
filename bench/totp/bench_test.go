package totp

import "testing"

// BenchmarkTOTPVerify verifies a correct current-step code per call.
func BenchmarkTOTPVerify(b *testing.B) {
	for _, name := range Names() {
		b.Run(name, func(b *testing.B) {
			impls, err := Impls()
			if err != nil {
				b.Fatal(err)
			}
			impl := impls[name]
			w, err := NewWorkload(b.N)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				user, at, code := w.Call(i)
				if !impl(user, at, code) {
					b.Fatalf("call %d rejected", i)
				}
			}
		})
	}
}
