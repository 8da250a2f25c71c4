package totp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Both implementations accept and reject the same calls: every call of the
// benchmark workload, a code one step either side, and not two steps away or
// a wrong code.
func TestImplementationsDoTheSameWork(t *testing.T) {
	const n = 3 * Users
	w, err := NewWorkload(n)
	require.NoError(t, err)
	impls, err := Impls()
	require.NoError(t, err)
	require.Len(t, impls, len(Names()))
	for _, name := range Names() {
		impl := impls[name]
		for i := range n {
			user, at, code := w.Call(i)
			require.True(t, impl(user, at, code), "%s rejected workload call %d", name, i)
		}
		_, at, code := w.Call(0)
		for _, tc := range []struct {
			user   string
			offset time.Duration
			want   bool
		}{
			{"late", 30 * time.Second, true},
			{"early", -30 * time.Second, true},
			{"too-late", 60 * time.Second, false},
			{"too-early", -60 * time.Second, false},
		} {
			assert.Equal(t, tc.want, impl(tc.user, at.Add(tc.offset), code), "%s: code at %+v", name, tc.offset)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		assert.False(t, impl("wrong", at, wrong), "%s accepted a wrong code", name)
	}
}
