// Package sessiontest is the conformance suite every authn.SessionStore and
// authn.RefreshStore must pass: the memory stores in package authn and the
// Redis stores in authn/redisstore run the same tests.
package sessiontest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// T0 is the start of every test's fake clock, a whole millisecond so that
// stores with millisecond precision round-trip it exactly.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Limits used by the suite.
var Limits = authn.SessionLimits{Idle: 30 * time.Minute, Touch: time.Minute, MaxPerUser: 3}

// NewID returns a random session ID.
func NewID() authn.SessionID {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return sha256.Sum256(b[:])
}

// NewSession returns a session of user created at t with an absolute
// lifetime of 2 hours.
func NewSession(user string, t time.Time) authn.Session {
	return authn.Session{
		ID:        NewID(),
		UserID:    user,
		CreatedAt: t,
		ExpiresAt: t.Add(2 * time.Hour),
		AuthTime:  t,
		LastSeen:  t,
		Methods:   authn.SessionPassword | authn.SessionTOTP,
		UserAgent: "Mozilla/5.0 (test)",
		IP:        "192.0.2.7",
		Data:      map[string]string{"org": "acme", "theme": "dark"},
	}
}

// uniqueUser returns a user ID no other test uses, so that stores shared
// between packages and runs do not collide.
func uniqueUser(t *testing.T, name string) string {
	return fmt.Sprintf("%s/%s/%x", t.Name(), name, NewID().String()[:8])
}

// sessionCmp compares sessions with time.Time.Equal.
var sessionCmp = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// RunSessionStore runs the SessionStore conformance suite. newStore returns
// a store for one subtest; stores may be shared.
func RunSessionStore(t *testing.T, newStore func(t *testing.T) authn.SessionStore) {
	ctx := context.Background()

	t.Run("a created session validates with every field intact", func(t *testing.T) {
		st := newStore(t)
		want := NewSession(uniqueUser(t, "u"), T0)
		require.NoError(t, st.Create(ctx, want, Limits))
		got, reason, err := st.Validate(ctx, want.ID, T0.Add(time.Second), Limits)
		require.NoError(t, err)
		require.Zero(t, reason)
		if d := cmp.Diff(want, got, sessionCmp); d != "" {
			t.Fatalf("Validate() mismatch (-want +got):\n%s", d)
		}
	})

	t.Run("empty data and methods round-trip", func(t *testing.T) {
		st := newStore(t)
		want := NewSession(uniqueUser(t, "u"), T0)
		want.Data, want.Methods, want.UserAgent, want.IP = nil, 0, "", ""
		require.NoError(t, st.Create(ctx, want, Limits))
		got, reason, err := st.Validate(ctx, want.ID, T0, Limits)
		require.NoError(t, err)
		require.Zero(t, reason)
		require.Empty(t, got.Data)
		require.Zero(t, got.Methods)
		require.Equal(t, want.UserID, got.UserID)
	})

	t.Run("an unknown ID is reported unknown, not as an error", func(t *testing.T) {
		st := newStore(t)
		s, reason, err := st.Validate(ctx, NewID(), T0, Limits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonUnknown, reason)
		require.Zero(t, s.UserID)
	})

	t.Run("idle and absolute timeouts with throttled touch", func(t *testing.T) {
		type step struct {
			at       time.Duration // since T0
			reason   authn.SessionReason
			lastSeen time.Duration // want LastSeen since T0, when valid
		}
		for _, tc := range []struct {
			name  string
			steps []step
		}{
			{"a session unused for the idle timeout expires", []step{
				{at: 29 * time.Minute, lastSeen: 29 * time.Minute},
				{at: 59 * time.Minute, reason: authn.SessionReasonIdle},
			}},
			{"uses within the touch interval do not move LastSeen", []step{
				{at: 30 * time.Second, lastSeen: 0},
				{at: 59 * time.Second, lastSeen: 0},
				{at: 60 * time.Second, lastSeen: time.Minute},
				{at: 90 * time.Second, lastSeen: time.Minute},
			}},
			{"idle is measured from the last recorded touch", []step{
				{at: 50 * time.Second, lastSeen: 0},
				{at: 30 * time.Minute, reason: authn.SessionReasonIdle},
			}},
			{"a busy session still ends at the absolute deadline", []step{
				{at: 25 * time.Minute, lastSeen: 25 * time.Minute},
				{at: 50 * time.Minute, lastSeen: 50 * time.Minute},
				{at: 75 * time.Minute, lastSeen: 75 * time.Minute},
				{at: 100 * time.Minute, lastSeen: 100 * time.Minute},
				{at: 119 * time.Minute, lastSeen: 119 * time.Minute},
				{at: 120 * time.Minute, reason: authn.SessionReasonAbsolute},
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st := newStore(t)
				s := NewSession(uniqueUser(t, "u"), T0)
				require.NoError(t, st.Create(ctx, s, Limits))
				for i, step := range tc.steps {
					got, reason, err := st.Validate(ctx, s.ID, T0.Add(step.at), Limits)
					require.NoError(t, err)
					require.Equal(t, step.reason, reason, "step %d (at %v): reason", i, step.at)
					if reason == 0 {
						require.True(t, got.LastSeen.Equal(T0.Add(step.lastSeen)),
							"step %d (at %v): LastSeen = %v, want %v", i, step.at, got.LastSeen, T0.Add(step.lastSeen))
					}
				}
			})
		}
	})

	t.Run("replace swaps the session atomically and only once", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		old := NewSession(user, T0)
		require.NoError(t, st.Create(ctx, old, Limits))
		next := old
		next.ID = NewID()
		next.Methods |= authn.SessionBackupCode
		now := T0.Add(5 * time.Minute)
		next.AuthTime, next.LastSeen = now, now

		ok, err := st.Replace(ctx, old.ID, next, now, Limits)
		require.NoError(t, err)
		require.True(t, ok)
		_, reason, err := st.Validate(ctx, old.ID, now, Limits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonUnknown, reason, "old ID after Replace")
		got, reason, err := st.Validate(ctx, next.ID, now, Limits)
		require.NoError(t, err)
		require.Zero(t, reason)
		if d := cmp.Diff(next, got, sessionCmp); d != "" {
			t.Fatalf("Validate(new) mismatch (-want +got):\n%s", d)
		}

		again := next
		again.ID = NewID()
		ok, err = st.Replace(ctx, old.ID, again, now, Limits)
		require.NoError(t, err)
		require.False(t, ok, "second Replace of the same old session")
		_, reason, _ = st.Validate(ctx, again.ID, now, Limits)
		require.Equal(t, authn.SessionReasonUnknown, reason)
	})

	t.Run("replace refuses another user's or an expired session", func(t *testing.T) {
		st := newStore(t)
		victim := NewSession(uniqueUser(t, "victim"), T0)
		require.NoError(t, st.Create(ctx, victim, Limits))
		forged := NewSession(uniqueUser(t, "attacker"), T0)
		ok, err := st.Replace(ctx, victim.ID, forged, T0, Limits)
		require.NoError(t, err)
		require.False(t, ok, "Replace with a different user")
		_, reason, _ := st.Validate(ctx, victim.ID, T0, Limits)
		require.Zero(t, reason, "victim's session must survive")

		next := victim
		next.ID = NewID()
		ok, err = st.Replace(ctx, victim.ID, next, T0.Add(31*time.Minute), Limits)
		require.NoError(t, err)
		require.False(t, ok, "Replace of an idle-expired session")
	})

	t.Run("of concurrent replaces of one session exactly one wins", func(t *testing.T) {
		st := newStore(t)
		old := NewSession(uniqueUser(t, "u"), T0)
		require.NoError(t, st.Create(ctx, old, Limits))
		const n = 8
		var wg sync.WaitGroup
		wins := make(chan authn.SessionID, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				next := old
				next.ID = NewID()
				ok, err := st.Replace(ctx, old.ID, next, T0, Limits)
				if err == nil && ok {
					wins <- next.ID
				}
			}()
		}
		wg.Wait()
		close(wins)
		require.Len(t, wins, 1)
	})

	t.Run("delete removes a session once and respects the owner", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		s := NewSession(user, T0)
		require.NoError(t, st.Create(ctx, s, Limits))

		ok, err := st.Delete(ctx, s.ID, uniqueUser(t, "other"))
		require.NoError(t, err)
		require.False(t, ok, "Delete with another owner")
		_, reason, _ := st.Validate(ctx, s.ID, T0, Limits)
		require.Zero(t, reason)

		ok, err = st.Delete(ctx, s.ID, user)
		require.NoError(t, err)
		require.True(t, ok)
		_, reason, _ = st.Validate(ctx, s.ID, T0, Limits)
		require.Equal(t, authn.SessionReasonUnknown, reason)

		ok, err = st.Delete(ctx, s.ID, "")
		require.NoError(t, err)
		require.False(t, ok, "deleting a missing session is a no-op")
	})

	t.Run("delete user ends every session but the kept one and no one else's", func(t *testing.T) {
		st := newStore(t)
		user, other := uniqueUser(t, "u"), uniqueUser(t, "other")
		a, b, c := NewSession(user, T0), NewSession(user, T0.Add(time.Second)), NewSession(user, T0.Add(2*time.Second))
		o := NewSession(other, T0)
		for _, s := range []authn.Session{a, b, c, o} {
			require.NoError(t, st.Create(ctx, s, Limits))
		}
		n, err := st.DeleteUser(ctx, user, b.ID)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		for _, tc := range []struct {
			id   authn.SessionID
			want authn.SessionReason
		}{{a.ID, authn.SessionReasonUnknown}, {b.ID, 0}, {c.ID, authn.SessionReasonUnknown}, {o.ID, 0}} {
			_, reason, err := st.Validate(ctx, tc.id, T0.Add(time.Minute), Limits)
			require.NoError(t, err)
			require.Equal(t, tc.want, reason)
		}
		n, err = st.DeleteUser(ctx, user, authn.SessionID{})
		require.NoError(t, err)
		require.Equal(t, 1, n)
		list, err := st.List(ctx, user, T0.Add(time.Minute), Limits)
		require.NoError(t, err)
		require.Empty(t, list)
	})

	t.Run("list returns live sessions oldest first", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		a := NewSession(user, T0)
		b := NewSession(user, T0.Add(10*time.Minute))
		b.UserAgent = "curl/8"
		for _, s := range []authn.Session{b, a} {
			require.NoError(t, st.Create(ctx, s, Limits))
		}
		require.NoError(t, st.Create(ctx, NewSession(uniqueUser(t, "other"), T0), Limits))
		list, err := st.List(ctx, user, T0.Add(15*time.Minute), Limits)
		require.NoError(t, err)
		if d := cmp.Diff([]authn.Session{a, b}, list, sessionCmp); d != "" {
			t.Fatalf("List() mismatch (-want +got):\n%s", d)
		}
		// At +35m, a has been idle for 35 minutes; b only for 25.
		list, err = st.List(ctx, user, T0.Add(35*time.Minute), Limits)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, b.ID, list[0].ID)
	})

	t.Run("the per-user cap evicts the earliest-created session", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		var ss []authn.Session
		for i := range 5 {
			s := NewSession(user, T0.Add(time.Duration(i)*time.Second))
			ss = append(ss, s)
			require.NoError(t, st.Create(ctx, s, Limits))
		}
		now := T0.Add(10 * time.Second)
		for i, s := range ss {
			_, reason, err := st.Validate(ctx, s.ID, now, Limits)
			require.NoError(t, err)
			if i < 2 {
				require.Equal(t, authn.SessionReasonUnknown, reason, "session %d should be evicted", i)
			} else {
				require.Zero(t, reason, "session %d should be live", i)
			}
		}
		list, err := st.List(ctx, user, now, Limits)
		require.NoError(t, err)
		require.Len(t, list, Limits.MaxPerUser)
	})

	t.Run("expired sessions do not count against the cap", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		for i := range 3 {
			require.NoError(t, st.Create(ctx, NewSession(user, T0.Add(time.Duration(i)*time.Second)), Limits))
		}
		later := T0.Add(3 * time.Hour) // all three are past their absolute deadline
		fresh := []authn.Session{NewSession(user, later), NewSession(user, later.Add(time.Second))}
		for _, s := range fresh {
			require.NoError(t, st.Create(ctx, s, Limits))
		}
		list, err := st.List(ctx, user, later.Add(2*time.Second), Limits)
		require.NoError(t, err)
		require.Len(t, list, 2)
	})

	t.Run("changing the caller's data map after create changes nothing", func(t *testing.T) {
		st := newStore(t)
		s := NewSession(uniqueUser(t, "u"), T0)
		require.NoError(t, st.Create(ctx, s, Limits))
		s.Data["org"] = "evil"
		got, _, err := st.Validate(ctx, s.ID, T0, Limits)
		require.NoError(t, err)
		require.Equal(t, "acme", got.Data["org"])
	})

	t.Run("concurrent validation and touch of one session", func(t *testing.T) {
		st := newStore(t)
		s := NewSession(uniqueUser(t, "u"), T0)
		require.NoError(t, st.Create(ctx, s, Limits))
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		now := T0.Add(5 * time.Minute)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, reason, err := st.Validate(ctx, s.ID, now, Limits)
				switch {
				case err != nil:
					errs <- err
				case reason != 0:
					errs <- fmt.Errorf("validate: reason %v", reason)
				case !got.LastSeen.Equal(now):
					errs <- fmt.Errorf("validate: LastSeen = %v, want %v", got.LastSeen, now)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
