package authn

import (
	"context"
	"crypto/rand"
	"strconv"
	"testing"

	"golang.org/x/crypto/argon2"
)

const hasherBenchPassword = "correct horse battery staple"

// BenchmarkArgon2 compares Hash and Verify with default parameters against
// raw argon2.IDKey doing the same derivation; the difference is this
// package's overhead (salt generation, semaphore, encoding, parsing).
func BenchmarkArgon2(b *testing.B) {
	benchArgon2(b, MustNewHasher(HasherConfig{}))
}

// BenchmarkArgon2Overhead repeats the comparison at the smallest
// parameters (64 KiB, 1 pass), where the derivation takes microseconds, to
// measure this package's fixed per-call cost in absolute terms.
func BenchmarkArgon2Overhead(b *testing.B) {
	benchArgon2(b, MustNewHasher(HasherConfig{Memory: 64, Time: 1, UnsafeWeakParameters: true}))
}

// benchArgon2 runs raw argon2.IDKey with h's parameters, h.Hash and
// h.Verify as sub-benchmarks.
func benchArgon2(b *testing.B, h *Hasher) {
	ctx := context.Background()
	enc, err := h.Hash(ctx, hasherBenchPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("raw-IDKey", func(b *testing.B) {
		b.ReportAllocs()
		salt := make([]byte, hasherSaltLen)
		for b.Loop() {
			_, _ = rand.Read(salt)
			argon2.IDKey([]byte(hasherBenchPassword), salt, h.time, h.memory, h.parallelism, hasherKeyLen)
		}
	})
	b.Run("Hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Hash(ctx, hasherBenchPassword); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := h.Verify(ctx, hasherBenchPassword, enc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkTokens(b *testing.B) {
	ctx := context.Background()
	b.Run("Issue+Consume", func(b *testing.B) {
		t := MustNewTokens(TokenConfig{Purpose: "reset"})
		b.ReportAllocs()
		for b.Loop() {
			tok, err := t.Issue(ctx, "user-1")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := t.Consume(ctx, tok.Value.Reveal()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Issue", func(b *testing.B) {
		t := MustNewTokens(TokenConfig{Purpose: "reset"})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := t.Issue(ctx, "user-1"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Consume", func(b *testing.B) {
		t := MustNewTokens(TokenConfig{Purpose: "reset", KeepPrevious: true})
		const n = 1 << 14
		toks := make([]string, n)
		b.ReportAllocs()
		i := n
		for b.Loop() {
			if i == n {
				b.StopTimer()
				for j := range toks {
					tok, err := t.Issue(ctx, "user-"+strconv.Itoa(j))
					if err != nil {
						b.Fatal(err)
					}
					toks[j] = tok.Value.Reveal()
				}
				i = 0
				b.StartTimer()
			}
			if _, err := t.Consume(ctx, toks[i]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

func BenchmarkPolicyCheck(b *testing.B) {
	p := MustNewPolicy(PolicyConfig{ContextWords: []string{"bulwark"}})
	if err := p.Check("warm up the list"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.Check(hasherBenchPassword, "alice@example.com", "Alice Smith")
	}
}

func BenchmarkApprovals(b *testing.B) {
	a := MustNewApprovals(ApprovalConfig{Keys: []ApprovalKey{NewApprovalKey(make([]byte, 32))}})
	req := ApprovalRequest{Purpose: "agent-payment", Subject: "action-7f3a"}
	link, err := a.Sign(req)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Sign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Sign(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Verify("agent-payment", link); err != nil {
				b.Fatal(err)
			}
		}
	})
}
