// Package tokenstoretest is the conformance suite for implementations of
// [authn.TokenStore] and [authn.ApprovalNonceStore]. The in-memory stores in
// package authn and the Redis stores in authn/redisstore both pass it; run
// it against your own store from a test:
//
//	func TestMyStore(t *testing.T) {
//		tokenstoretest.RunTokenStore(t, func(t *testing.T) authn.TokenStore {
//			return newMyStore(t)
//		})
//	}
package tokenstoretest

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// concurrency is the number of goroutines racing for one token or nonce.
const concurrency = 32

// RunTokenStore runs the TokenStore conformance tests. newStore is called
// once per subtest and must return an empty store (or one whose keys cannot
// collide with other callers', e.g. through a unique key prefix).
func RunTokenStore(t *testing.T, newStore func(t *testing.T) authn.TokenStore) {
	t.Helper()
	ctx := context.Background()

	t.Run("a saved record is returned once and then gone", func(t *testing.T) {
		s := newStore(t)
		rec := record(t, "reset", "user-1")
		require.NoError(t, s.SaveToken(ctx, rec, false))
		got, ok, err := s.ConsumeToken(ctx, rec.Key)
		require.NoError(t, err)
		require.True(t, ok, "ConsumeToken of a saved key found nothing")
		requireSame(t, rec, got)
		got, ok, err = s.ConsumeToken(ctx, rec.Key)
		require.NoError(t, err)
		require.False(t, ok, "second ConsumeToken found the record again")
		require.Equal(t, authn.TokenRecord{}, got)
	})

	t.Run("an unknown key is not found and not an error", func(t *testing.T) {
		s := newStore(t)
		got, ok, err := s.ConsumeToken(ctx, record(t, "reset", "nobody").Key)
		require.NoError(t, err)
		require.False(t, ok)
		require.Equal(t, authn.TokenRecord{}, got)
	})

	t.Run("subjects, purposes and keys with separator characters stay distinct", func(t *testing.T) {
		s := newStore(t)
		a := record(t, "p:x", "y")
		b := record(t, "p", "x:y")
		c := record(t, "p", "ümlaut \x00 subject")
		for _, r := range []authn.TokenRecord{a, b, c} {
			require.NoError(t, s.SaveToken(ctx, r, true))
		}
		require.NoError(t, s.DeleteTokens(ctx, "p:x", "y"))
		requireConsumable(t, s, a, false)
		requireConsumable(t, s, b, true)
		requireConsumable(t, s, c, true)
	})

	t.Run("replace deletes only the same purpose and subject", func(t *testing.T) {
		s := newStore(t)
		old1 := record(t, "reset", "alice")
		old2 := record(t, "reset", "alice")
		otherPurpose := record(t, "verify", "alice")
		otherSubject := record(t, "reset", "bob")
		for _, r := range []authn.TokenRecord{old1, old2, otherPurpose, otherSubject} {
			require.NoError(t, s.SaveToken(ctx, r, false))
		}
		fresh := record(t, "reset", "alice")
		require.NoError(t, s.SaveToken(ctx, fresh, true))
		requireConsumable(t, s, old1, false)
		requireConsumable(t, s, old2, false)
		requireConsumable(t, s, otherPurpose, true)
		requireConsumable(t, s, otherSubject, true)
		requireConsumable(t, s, fresh, true)
	})

	t.Run("without replace earlier records stay", func(t *testing.T) {
		s := newStore(t)
		first := record(t, "invite", "org-1")
		second := record(t, "invite", "org-1")
		require.NoError(t, s.SaveToken(ctx, first, false))
		require.NoError(t, s.SaveToken(ctx, second, false))
		requireConsumable(t, s, first, true)
		requireConsumable(t, s, second, true)
	})

	t.Run("a consumed record no longer counts for replace or delete", func(t *testing.T) {
		s := newStore(t)
		first := record(t, "reset", "carol")
		require.NoError(t, s.SaveToken(ctx, first, false))
		requireConsumable(t, s, first, true)
		second := record(t, "reset", "carol")
		require.NoError(t, s.SaveToken(ctx, second, true))
		requireConsumable(t, s, second, true)
	})

	t.Run("DeleteTokens removes every record of the subject and purpose", func(t *testing.T) {
		s := newStore(t)
		a1 := record(t, "reset", "dave")
		a2 := record(t, "reset", "dave")
		keep := record(t, "verify", "dave")
		for _, r := range []authn.TokenRecord{a1, a2, keep} {
			require.NoError(t, s.SaveToken(ctx, r, false))
		}
		require.NoError(t, s.DeleteTokens(ctx, "reset", "dave"))
		requireConsumable(t, s, a1, false)
		requireConsumable(t, s, a2, false)
		requireConsumable(t, s, keep, true)
	})

	t.Run("DeleteTokens with nothing stored is not an error", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.DeleteTokens(ctx, "reset", "nobody"))
	})

	t.Run("exactly one of many concurrent consumers gets the record", func(t *testing.T) {
		s := newStore(t)
		for round := 0; round < 5; round++ {
			rec := record(t, "reset", "eve")
			require.NoError(t, s.SaveToken(ctx, rec, false))
			winners := race(t, func() (bool, error) {
				_, ok, err := s.ConsumeToken(ctx, rec.Key)
				return ok, err
			})
			require.Equal(t, int32(1), winners, "round %d: consumers that got the record", round)
		}
	})
}

// RunApprovalNonceStore runs the ApprovalNonceStore conformance tests.
func RunApprovalNonceStore(t *testing.T, newStore func(t *testing.T) authn.ApprovalNonceStore) {
	t.Helper()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)

	t.Run("a nonce is claimed once", func(t *testing.T) {
		s := newStore(t)
		n := nonce(t)
		steps := []bool{true, false, false}
		for i, want := range steps {
			got, err := s.ClaimApprovalNonce(ctx, n, exp)
			require.NoError(t, err)
			require.Equal(t, want, got, "claim %d", i+1)
		}
	})

	t.Run("different nonces are independent", func(t *testing.T) {
		s := newStore(t)
		for range 3 {
			got, err := s.ClaimApprovalNonce(ctx, nonce(t), exp)
			require.NoError(t, err)
			require.True(t, got)
		}
	})

	t.Run("exactly one of many concurrent claims succeeds", func(t *testing.T) {
		s := newStore(t)
		n := nonce(t)
		winners := race(t, func() (bool, error) {
			return s.ClaimApprovalNonce(ctx, n, exp)
		})
		require.Equal(t, int32(1), winners)
	})
}

// race runs try from concurrency goroutines released at once, requires
// that none of them failed, and returns how many got true.
func race(t *testing.T, try func() (bool, error)) int32 {
	t.Helper()
	var winners atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := try()
			if err != nil {
				errs <- err
				return
			}
			if ok {
				winners.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return winners.Load()
}

func record(t *testing.T, purpose, subject string) authn.TokenRecord {
	t.Helper()
	r := authn.TokenRecord{Purpose: purpose, Subject: subject,
		// Millisecond precision: what a store must keep at least.
		ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Millisecond)}
	_, err := rand.Read(r.Key[:])
	require.NoError(t, err)
	return r
}

func nonce(t *testing.T) [16]byte {
	t.Helper()
	var n [16]byte
	_, err := rand.Read(n[:])
	require.NoError(t, err)
	return n
}

func requireSame(t *testing.T, want, got authn.TokenRecord) {
	t.Helper()
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Fatalf("ConsumeToken returned a different record (-want +got):\n%s", diff)
	}
}

func requireConsumable(t *testing.T, s authn.TokenStore, rec authn.TokenRecord, want bool) {
	t.Helper()
	got, ok, err := s.ConsumeToken(context.Background(), rec.Key)
	require.NoError(t, err)
	require.Equal(t, want, ok, "ConsumeToken(%s/%s) found", rec.Purpose, rec.Subject)
	if want {
		requireSame(t, rec, got)
	}
}
