package redisstore_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/totp"
)

// BenchmarkVerifyRedis: a right code per call for a fresh (user, step) pair,
// with replay and attempt records in Redis (three round trips: attempt,
// compare-and-set, reset).
func BenchmarkVerifyRedis(b *testing.B) {
	store := newStore(b)
	const users = 1024
	ids := make([]string, users)
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	base := time.Unix(1764090010, 0)
	codes := make([]string, b.N/users+1)
	for s := range codes {
		codes[s] = code(base.Add(time.Duration(s) * totp.Period))
	}
	var now time.Time
	v := totp.MustNew(totp.Config{Issuer: "Bench", ReplayStore: store, AttemptStore: store, Now: func() time.Time { return now }})
	secret, err := totp.SecretFromBytes(seed)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s := i / users
		now = base.Add(time.Duration(s) * totp.Period)
		if err := v.Verify(ctx, ids[i%users], secret, codes[s]); err != nil {
			b.Fatal(err)
		}
	}
}
