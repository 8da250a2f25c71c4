package sessiontest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// RefreshLimits used by the suite.
var RefreshLimits = authn.RefreshLimits{Idle: time.Hour, MaxPerUser: 3, MaxKept: 4}

// NewFamily returns a refresh family of user created at t with a 24-hour
// absolute lifetime.
func NewFamily(user string, t time.Time) authn.RefreshFamily {
	return authn.RefreshFamily{
		ID:        NewID(),
		UserID:    user,
		Methods:   authn.SessionPassword,
		AuthTime:  t,
		CreatedAt: t,
		ExpiresAt: t.Add(24 * time.Hour),
		LastUsed:  t,
		Data:      map[string]string{"client": "cli"},
		AccessID:  NewID(),
	}
}

// RunRefreshStore runs the RefreshStore conformance suite.
func RunRefreshStore(t *testing.T, newStore func(t *testing.T) authn.RefreshStore) {
	ctx := context.Background()

	create := func(t *testing.T, st authn.RefreshStore, f authn.RefreshFamily) authn.SessionID {
		t.Helper()
		tok := NewID()
		evicted, err := st.Create(ctx, f, tok, RefreshLimits)
		require.NoError(t, err)
		require.Empty(t, evicted)
		return tok
	}

	t.Run("rotation hands over to the next token and reports the previous state", func(t *testing.T) {
		st := newStore(t)
		f := NewFamily(uniqueUser(t, "u"), T0)
		t0 := create(t, st, f)
		t1, a1 := NewID(), NewID()
		now := T0.Add(10 * time.Minute)
		prev, reason, err := st.Rotate(ctx, t0, t1, a1, now, RefreshLimits)
		require.NoError(t, err)
		require.Zero(t, reason)
		if d := cmp.Diff(f, prev, sessionCmp); d != "" {
			t.Fatalf("Rotate() family mismatch (-want +got):\n%s", d)
		}
		alive, err := st.Alive(ctx, f.ID, a1)
		require.NoError(t, err)
		require.True(t, alive, "the family's access ID is the new one")
		alive, err = st.Alive(ctx, f.ID, f.AccessID)
		require.NoError(t, err)
		require.False(t, alive, "the old access ID is no longer current")

		t2, a2 := NewID(), NewID()
		prev, reason, err = st.Rotate(ctx, t1, t2, a2, now.Add(50*time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Zero(t, reason, "idle is measured from the last rotation")
		require.Equal(t, a1, prev.AccessID)
		require.True(t, prev.LastUsed.Equal(now))
	})

	t.Run("reusing a replaced token revokes the family", func(t *testing.T) {
		st := newStore(t)
		f := NewFamily(uniqueUser(t, "u"), T0)
		t0 := create(t, st, f)
		t1, a1 := NewID(), NewID()
		_, reason, err := st.Rotate(ctx, t0, t1, a1, T0.Add(time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Zero(t, reason)

		got, reason, err := st.Rotate(ctx, t0, NewID(), NewID(), T0.Add(2*time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonReused, reason)
		require.Equal(t, f.ID, got.ID)
		require.Equal(t, a1, got.AccessID, "the current access ID is returned so it can be revoked")

		_, reason, err = st.Rotate(ctx, t1, NewID(), NewID(), T0.Add(3*time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonUnknown, reason, "the legitimate holder's token died with the family")
		alive, err := st.Alive(ctx, f.ID, a1)
		require.NoError(t, err)
		require.False(t, alive)
	})

	t.Run("a family ends at its idle and absolute limits", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			steps  []time.Duration // rotation times since T0; the last one fails
			reason authn.SessionReason
		}{
			{"an hour without refresh", []time.Duration{59 * time.Minute, 119 * time.Minute}, authn.SessionReasonIdle},
			{"a day after login however busy", func() []time.Duration {
				var s []time.Duration
				for i := 1; i <= 24; i++ {
					s = append(s, time.Duration(i)*59*time.Minute)
				}
				return append(s, 24*time.Hour+time.Minute)
			}(), authn.SessionReasonAbsolute},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st := newStore(t)
				f := NewFamily(uniqueUser(t, "u"), T0)
				tok := create(t, st, f)
				for i, at := range tc.steps {
					next := NewID()
					_, reason, err := st.Rotate(ctx, tok, next, NewID(), T0.Add(at), RefreshLimits)
					require.NoError(t, err)
					if i < len(tc.steps)-1 {
						require.Zero(t, reason, "step %d at %v", i, at)
						tok = next
						continue
					}
					require.Equal(t, tc.reason, reason, "last step at %v", at)
				}
				_, reason, err := st.Rotate(ctx, tok, NewID(), NewID(), T0.Add(time.Minute), RefreshLimits)
				require.NoError(t, err)
				require.Equal(t, authn.SessionReasonUnknown, reason, "an expired family is deleted")
			})
		}
	})

	t.Run("of concurrent rotations of one token exactly one wins", func(t *testing.T) {
		st := newStore(t)
		f := NewFamily(uniqueUser(t, "u"), T0)
		tok := create(t, st, f)
		const n = 6
		var wg sync.WaitGroup
		reasons := make(chan authn.SessionReason, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, reason, err := st.Rotate(ctx, tok, NewID(), NewID(), T0.Add(time.Minute), RefreshLimits)
				if err != nil {
					t.Error(err)
					return
				}
				reasons <- reason
			}()
		}
		wg.Wait()
		close(reasons)
		count := map[authn.SessionReason]int{}
		for r := range reasons {
			count[r]++
		}
		require.Equal(t, 1, count[0], "winners")
		require.Equal(t, 1, count[authn.SessionReasonReused], "the first loser detects the reuse")
		require.Equal(t, n-2, count[authn.SessionReasonUnknown], "later losers find the family gone")
	})

	t.Run("revoke by current or earlier token", func(t *testing.T) {
		st := newStore(t)
		for _, useOld := range []bool{false, true} {
			f := NewFamily(uniqueUser(t, "u"), T0)
			t0 := create(t, st, f)
			t1, a1 := NewID(), NewID()
			_, _, err := st.Rotate(ctx, t0, t1, a1, T0.Add(time.Minute), RefreshLimits)
			require.NoError(t, err)
			by := t1
			if useOld {
				by = t0
			}
			access, ok, err := st.Revoke(ctx, by)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, a1, access)
			_, reason, err := st.Rotate(ctx, t1, NewID(), NewID(), T0.Add(2*time.Minute), RefreshLimits)
			require.NoError(t, err)
			require.Equal(t, authn.SessionReasonUnknown, reason)
			_, ok, err = st.Revoke(ctx, by)
			require.NoError(t, err)
			require.False(t, ok, "revoking twice is a no-op")
		}
	})

	t.Run("revoke user ends every family of that user only", func(t *testing.T) {
		st := newStore(t)
		user, other := uniqueUser(t, "u"), uniqueUser(t, "other")
		f1, f2, fo := NewFamily(user, T0), NewFamily(user, T0.Add(time.Second)), NewFamily(other, T0)
		t1, t2, to := create(t, st, f1), create(t, st, f2), create(t, st, fo)
		access, err := st.RevokeUser(ctx, user)
		require.NoError(t, err)
		require.ElementsMatch(t, []authn.SessionID{f1.AccessID, f2.AccessID}, access)
		for _, tc := range []struct {
			tok  authn.SessionID
			want authn.SessionReason
		}{{t1, authn.SessionReasonUnknown}, {t2, authn.SessionReasonUnknown}, {to, 0}} {
			_, reason, err := st.Rotate(ctx, tc.tok, NewID(), NewID(), T0.Add(time.Minute), RefreshLimits)
			require.NoError(t, err)
			require.Equal(t, tc.want, reason)
		}
	})

	t.Run("the per-user cap evicts the earliest family", func(t *testing.T) {
		st := newStore(t)
		user := uniqueUser(t, "u")
		var toks []authn.SessionID
		var fams []authn.RefreshFamily
		for i := range 3 {
			f := NewFamily(user, T0.Add(time.Duration(i)*time.Second))
			fams = append(fams, f)
			toks = append(toks, create(t, st, f))
		}
		f := NewFamily(user, T0.Add(3*time.Second))
		evicted, err := st.Create(ctx, f, NewID(), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, []authn.SessionID{fams[0].AccessID}, evicted)
		_, reason, err := st.Rotate(ctx, toks[0], NewID(), NewID(), T0.Add(time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonUnknown, reason)
		_, reason, err = st.Rotate(ctx, toks[1], NewID(), NewID(), T0.Add(time.Minute), RefreshLimits)
		require.NoError(t, err)
		require.Zero(t, reason)
	})

	t.Run("only the latest tokens are remembered for reuse detection", func(t *testing.T) {
		st := newStore(t)
		f := NewFamily(uniqueUser(t, "u"), T0)
		toks := []authn.SessionID{create(t, st, f)}
		for i := range RefreshLimits.MaxKept {
			next := NewID()
			_, reason, err := st.Rotate(ctx, toks[i], next, NewID(), T0.Add(time.Duration(i+1)*time.Minute), RefreshLimits)
			require.NoError(t, err)
			require.Zero(t, reason)
			toks = append(toks, next)
		}
		_, reason, err := st.Rotate(ctx, toks[0], NewID(), NewID(), T0.Add(time.Hour), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonUnknown, reason, "a token older than MaxKept is forgotten")
		_, reason, err = st.Rotate(ctx, toks[1], NewID(), NewID(), T0.Add(time.Hour), RefreshLimits)
		require.NoError(t, err)
		require.Equal(t, authn.SessionReasonReused, reason, "a remembered token is detected")
	})
}
