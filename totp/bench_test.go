package totp_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/totp"
)

// BenchmarkVerify: a right code for a fresh (user, step) pair per call, with
// the default in-memory stores. See bench/totp for the comparison with raw
// pquerna/otp.
func BenchmarkVerify(b *testing.B) {
	const users = 1024
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	codes := make([]string, b.N/users+1)
	for s := range codes {
		codes[s] = refCode(testSeed, totp.SHA1, 6, t0.Add(time.Duration(s)*totp.Period))
	}
	var now time.Time
	v := totp.MustNew(totp.Config{Issuer: "Bench", Now: func() time.Time { return now }})
	secret, err := totp.SecretFromBytes(testSeed)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s := i / users
		now = t0.Add(time.Duration(s) * totp.Period)
		if err := v.Verify(ctx, ids[i%users], secret, codes[s]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyWrongCode: the failure path computes all three candidate
// steps. The clock jumps past the lock-out every call.
func BenchmarkVerifyWrongCode(b *testing.B) {
	now := t0
	v := totp.MustNew(totp.Config{Issuer: "Bench", Now: func() time.Time { return now }})
	secret, err := totp.SecretFromBytes(testSeed)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(time.Hour)
		if err := v.Verify(ctx, "alice", secret, wrong); err == nil && !inWindow(wrong, now) {
			b.Fatal("wrong code accepted")
		}
	}
}

// inWindow reports whether code is, by the reference implementation, the
// right code at now for one of the default ±1 steps: over millions of
// hourly steps the fixed "wrong" code is occasionally right.
func inWindow(code string, now time.Time) bool {
	for _, d := range []time.Duration{-totp.Period, 0, totp.Period} {
		if refCode(testSeed, totp.SHA1, 6, now.Add(d)) == code {
			return true
		}
	}
	return false
}

// BenchmarkBackupVerify checks a code against a user's 10 stored hashes.
// "hit" consumes a right code (the set is restored outside the timer), "miss"
// is a well-formed wrong code (the clock jumps past the lock-out).
func BenchmarkBackupVerify(b *testing.B) {
	ctx := context.Background()
	b.Run("hit", func(b *testing.B) {
		store := totp.NewMemoryStore()
		bc, err := totp.NewBackupCodes(totp.BackupConfig{Key: backupKey, Store: store})
		if err != nil {
			b.Fatal(err)
		}
		codes, err := bc.Generate(ctx, "alice")
		if err != nil {
			b.Fatal(err)
		}
		hashes, err := store.BackupCodes(ctx, "alice")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := bc.Verify(ctx, "alice", codes[i%10]); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			_ = store.SetBackupCodes(ctx, "alice", hashes)
			b.StartTimer()
		}
	})
	b.Run("miss", func(b *testing.B) {
		now := t0
		store := totp.NewMemoryStore()
		bc, err := totp.NewBackupCodes(totp.BackupConfig{Key: backupKey, Store: store, Now: func() time.Time { return now }})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bc.Generate(ctx, "alice"); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			now = now.Add(time.Hour)
			if err := bc.Verify(ctx, "alice", "0000-0000-0000-0000"); err == nil {
				b.Fatal("wrong code accepted")
			}
		}
	})
}

func BenchmarkBackupGenerate(b *testing.B) {
	ctx := context.Background()
	bc, err := totp.NewBackupCodes(totp.BackupConfig{Key: backupKey, Store: totp.NewMemoryStore()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bc.Generate(ctx, "alice"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEnroll(b *testing.B) {
	v := totp.MustNew(totp.Config{Issuer: "Bench"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Enroll("alice@example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
