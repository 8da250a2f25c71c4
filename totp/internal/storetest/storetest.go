// Package storetest is the conformance suite every totp store passes: the
// in-memory store of package totp and the Redis store of totp/redisstore run
// the same tests.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

// concurrency is how many goroutines race in the atomicity tests.
const concurrency = 32

// ReplayStore runs the conformance tests for a [totp.ReplayStore]. newStore
// is called once per subtest and must return a store with no records (for
// example one with a fresh key prefix).
func ReplayStore(t *testing.T, newStore func(t *testing.T) totp.ReplayStore) {
	ctx := context.Background()
	const ttl = time.Minute

	type accept struct {
		user string
		step uint64
		want bool
	}
	for _, tc := range []struct {
		name  string
		steps []accept
	}{
		{"a first step is accepted", []accept{{"alice", 100, true}}},
		{"the same step is accepted only once", []accept{{"alice", 100, true}, {"alice", 100, false}, {"alice", 100, false}}},
		{"an earlier step is rejected after a later one", []accept{{"alice", 101, true}, {"alice", 100, false}, {"alice", 99, false}}},
		{"later steps are accepted in order", []accept{{"alice", 100, true}, {"alice", 101, true}, {"alice", 103, true}, {"alice", 102, false}}},
		{"step zero is accepted for a new user", []accept{{"alice", 0, true}, {"alice", 0, false}}},
		{"users are independent", []accept{{"alice", 100, true}, {"bob", 100, true}, {"bob", 99, false}, {"alice", 101, true}}},
		{"user identifiers are not confused by shared prefixes", []accept{{"al", 100, true}, {"alice", 100, true}, {"al:ice", 100, true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			for i, st := range tc.steps {
				got, err := s.AcceptStep(ctx, st.user, st.step, ttl)
				require.NoError(t, err)
				assert.Equal(t, st.want, got, "step %d: AcceptStep(%q, %d) = %v, want %v", i, st.user, st.step, got, st.want)
			}
		})
	}

	t.Run("exactly one of many concurrent accepts of a step wins", func(t *testing.T) {
		s := newStore(t)
		var wins atomic.Int32
		race(t, func() error {
			ok, err := s.AcceptStep(ctx, "alice", 500, ttl)
			if ok {
				wins.Add(1)
			}
			return err
		})
		assert.Equal(t, int32(1), wins.Load())
	})
}

// AttemptStore runs the conformance tests for a [totp.AttemptStore].
func AttemptStore(t *testing.T, newStore func(t *testing.T) totp.AttemptStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	const limit, window = 3, 10 * time.Minute

	type step struct {
		op      string // "attempt" or "reset"
		user    string
		at      time.Duration // offset from t0
		want    bool
		wantEnd time.Duration // offset from t0 of the returned time
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"attempts up to the limit are allowed, then locked until the window after the last", []step{
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", time.Minute, true, window},
			{"attempt", "alice", 2 * time.Minute, true, 2*time.Minute + window},
			{"attempt", "alice", 3 * time.Minute, false, 2*time.Minute + window},
			{"attempt", "alice", 2*time.Minute + window - time.Second, false, 2*time.Minute + window},
			{"attempt", "alice", 2*time.Minute + window, true, 2*time.Minute + 2*window},
		}},
		{"the count is forgotten when its window ends", []step{
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", time.Minute, true, window},
			{"attempt", "alice", window, true, 2 * window},
			{"attempt", "alice", window + time.Second, true, 2 * window},
			{"attempt", "alice", window + 2*time.Second, true, 2*window + 2*time.Second},
			{"attempt", "alice", window + 3*time.Second, false, 2*window + 2*time.Second},
		}},
		{"reset forgets the attempts", []step{
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, true, window},
			{"reset", "alice", 0, false, 0},
			{"attempt", "alice", time.Second, true, time.Second + window},
			{"attempt", "alice", time.Second, true, time.Second + window},
			{"attempt", "alice", time.Second, true, time.Second + window},
			{"attempt", "alice", time.Second, false, time.Second + window},
		}},
		{"reset lifts a lock-out", []step{
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, false, window},
			{"reset", "alice", 0, false, 0},
			{"attempt", "alice", time.Second, true, time.Second + window},
		}},
		{"resetting a user without attempts is a no-op", []step{
			{"reset", "alice", 0, false, 0},
			{"attempt", "alice", 0, true, window},
		}},
		{"users are counted separately", []step{
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, true, window},
			{"attempt", "alice", 0, true, window},
			{"attempt", "bob", 0, true, window},
			{"attempt", "alice", 0, false, window},
			{"attempt", "bob", 0, true, window},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			for i, st := range tc.steps {
				now := t0.Add(st.at)
				if st.op == "reset" {
					require.NoError(t, s.ResetAttempts(ctx, st.user), "step %d", i)
					continue
				}
				ok, end, err := s.Attempt(ctx, st.user, now, limit, window)
				require.NoError(t, err, "step %d", i)
				assert.Equal(t, st.want, ok, "step %d: Attempt(%q, t0+%v) ok = %v, want %v", i, st.user, st.at, ok, st.want)
				assert.True(t, end.Equal(t0.Add(st.wantEnd)), "step %d: Attempt(%q, t0+%v) until = t0+%v, want t0+%v", i, st.user, st.at, end.Sub(t0), st.wantEnd)
			}
		})
	}

	t.Run("concurrent attempts never exceed the limit", func(t *testing.T) {
		s := newStore(t)
		var allowed atomic.Int32
		race(t, func() error {
			ok, _, err := s.Attempt(ctx, "alice", t0, limit, window)
			if ok {
				allowed.Add(1)
			}
			return err
		})
		assert.Equal(t, int32(limit), allowed.Load())
	})
}

// BackupStore runs the conformance tests for a [totp.BackupStore].
func BackupStore(t *testing.T, newStore func(t *testing.T) totp.BackupStore) {
	ctx := context.Background()
	h := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, 32) }
	set := func(n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = h(i + 1)
		}
		return out
	}
	sorted := func(hs [][]byte) [][]byte {
		hs = slices.Clone(hs)
		slices.SortFunc(hs, bytes.Compare)
		return hs
	}

	t.Run("a user without codes has none", func(t *testing.T) {
		s := newStore(t)
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Empty(t, got)
		ok, err := s.ConsumeBackupCode(ctx, "alice", h(1))
		require.NoError(t, err)
		assert.False(t, ok, "ConsumeBackupCode on an empty set = true, want false")
	})

	t.Run("stored hashes are returned as stored", func(t *testing.T) {
		s := newStore(t)
		in := set(10)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", in))
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		if diff := cmp.Diff(sorted(set(10)), sorted(got)); diff != "" {
			t.Errorf("BackupCodes mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("hashes are copied on store", func(t *testing.T) {
		s := newStore(t)
		in := set(3)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", in))
		in[0][0] = 0xff
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, sorted(set(3)), sorted(got))
	})

	t.Run("a hash is consumed once", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(3)))
		for i, want := range []bool{true, false, false} {
			ok, err := s.ConsumeBackupCode(ctx, "alice", h(2))
			require.NoError(t, err)
			assert.Equal(t, want, ok, "ConsumeBackupCode #%d = %v, want %v", i, ok, want)
		}
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{h(1), h(3)}, sorted(got))
	})

	t.Run("an unknown hash is not consumed", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(3)))
		ok, err := s.ConsumeBackupCode(ctx, "alice", h(9))
		require.NoError(t, err)
		assert.False(t, ok)
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Len(t, got, 3)
	})

	t.Run("setting replaces the whole set", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(3)))
		require.NoError(t, s.SetBackupCodes(ctx, "alice", [][]byte{h(7), h(8)}))
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Equal(t, [][]byte{h(7), h(8)}, sorted(got))
		ok, err := s.ConsumeBackupCode(ctx, "alice", h(1))
		require.NoError(t, err)
		assert.False(t, ok, "a hash of the replaced set was consumed")
	})

	t.Run("setting an empty set removes the codes", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(3)))
		require.NoError(t, s.SetBackupCodes(ctx, "alice", nil))
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("consuming the last hash leaves an empty set", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(1)))
		ok, err := s.ConsumeBackupCode(ctx, "alice", h(1))
		require.NoError(t, err)
		assert.True(t, ok)
		got, err := s.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("users are independent", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(2)))
		require.NoError(t, s.SetBackupCodes(ctx, "bob", set(2)))
		ok, err := s.ConsumeBackupCode(ctx, "alice", h(1))
		require.NoError(t, err)
		assert.True(t, ok)
		got, err := s.BackupCodes(ctx, "bob")
		require.NoError(t, err)
		assert.Len(t, got, 2, "consuming alice's code changed bob's set")
	})

	t.Run("exactly one of many concurrent consumers of a hash wins", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.SetBackupCodes(ctx, "alice", set(10)))
		var wins atomic.Int32
		race(t, func() error {
			ok, err := s.ConsumeBackupCode(ctx, "alice", h(5))
			if ok {
				wins.Add(1)
			}
			return err
		})
		assert.Equal(t, int32(1), wins.Load())
	})
}

// race runs f in many goroutines released at once and fails on any error.
func race(t *testing.T, f func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, concurrency)
	for range concurrency {
		wg.Go(func() {
			<-start
			if err := f(); err != nil {
				errs <- fmt.Errorf("concurrent call: %w", err)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
