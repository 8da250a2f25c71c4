package redisstore_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

var seed = []byte("12345678901234567890") // RFC 6238 SHA1 seed

// code computes a 6-digit SHA-1 TOTP independently (RFC 4226 section 5.3).
func code(t time.Time) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// Two Verifiers sharing one Redis behave like one: a code accepted by one
// instance is a replay on the other, and failures add up.
func TestVerifiersShareReplayAndAttemptsThroughRedis(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	at := time.Unix(1764090010, 0)
	now := func() time.Time { return at }
	cfg := totp.Config{Issuer: "Example", ReplayStore: store, AttemptStore: store, MaxFailures: 3, LockoutDuration: time.Minute, Now: now}
	a, b := totp.MustNew(cfg), totp.MustNew(cfg)
	secret, err := totp.SecretFromBytes(seed)
	require.NoError(t, err)

	require.NoError(t, a.Verify(ctx, "alice", secret, code(at)))
	assert.ErrorIs(t, b.Verify(ctx, "alice", secret, code(at)), totp.ErrReplayedCode, "instance B accepted a code used on A")
	assert.ErrorIs(t, b.Verify(ctx, "alice", secret, code(at.Add(-30*time.Second))), totp.ErrReplayedCode)

	require.ErrorIs(t, a.Verify(ctx, "bob", secret, "000000"), totp.ErrInvalidCode)
	require.ErrorIs(t, b.Verify(ctx, "bob", secret, "000000"), totp.ErrInvalidCode)
	require.ErrorIs(t, a.Verify(ctx, "bob", secret, "000000"), totp.ErrInvalidCode)
	assert.ErrorIs(t, b.Verify(ctx, "bob", secret, code(at)), totp.ErrLockedOut, "failures on A and B were not counted together")
}

// Of many concurrent verifications of one code across instances, exactly one
// succeeds.
func TestConcurrentVerificationSucceedsOnceThroughRedis(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	at := time.Unix(1764090010, 0)
	cfg := totp.Config{Issuer: "Example", ReplayStore: store, AttemptStore: store, MaxFailures: 20, Now: func() time.Time { return at }}
	verifiers := []*totp.Verifier{totp.MustNew(cfg), totp.MustNew(cfg), totp.MustNew(cfg)}
	secret, err := totp.SecretFromBytes(seed)
	require.NoError(t, err)

	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 15 {
		wg.Go(func() {
			<-start
			if verifiers[i%3].Verify(ctx, "alice", secret, code(at)) == nil {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
}

func TestBackupCodesThroughRedis(t *testing.T) {
	ctx := context.Background()
	store := newStore(t)
	b, err := totp.NewBackupCodes(totp.BackupConfig{
		Key: []byte("0123456789abcdef0123456789abcdef"), Store: store, AttemptStore: store, MaxFailures: 20,
	})
	require.NoError(t, err)
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	n, err := b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n)

	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			<-start
			if b.Verify(ctx, "alice", codes[3]) == nil {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load(), "concurrent uses of one backup code")
	assert.ErrorIs(t, b.Verify(ctx, "alice", codes[3]), totp.ErrInvalidCode)
	n, err = b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 9, n)

	_, err = b.Generate(ctx, "alice")
	require.NoError(t, err)
	assert.ErrorIs(t, b.Verify(ctx, "alice", codes[4]), totp.ErrInvalidCode, "old code after regeneration")
}
