package authn

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A stored hash may demand more memory than the configured parameters (an
// older, heavier configuration, or a tampered row). The concurrency bound
// exists to cap memory, so such a hash must take as many hashing slots as
// its memory is worth, or MaxConcurrent*Memory stops being a bound.
func TestHeavyStoredHashesTakeSeveralSlots(t *testing.T) {
	ctx := context.Background()
	light := MustNewHasher(HasherConfig{UnsafeWeakParameters: true, Memory: 64, Time: 1, MaxConcurrent: 2})
	heavy := MustNewHasher(HasherConfig{UnsafeWeakParameters: true, Memory: 128, Time: 1})
	stored, err := heavy.Hash(ctx, "correct horse battery staple")
	require.NoError(t, err)

	light.sem <- struct{}{} // another hash holds one of the two slots
	// The 128 KiB hash needs both slots, so it cannot start until the
	// other hash is done; the outcome does not depend on the deadline.
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = light.Verify(short, "correct horse battery staple", stored)
	require.True(t, errors.Is(err, context.DeadlineExceeded), "Verify with one free slot = %v, want it to wait for two", err)
	require.Len(t, light.sem, 1, "a failed wait must give back the slots it took")

	<-light.sem
	require.NoError(t, light.Verify(ctx, "correct horse battery staple", stored))
	require.Len(t, light.sem, 0, "Verify must release every slot it took")
}

func TestHashSlots(t *testing.T) {
	h := MustNewHasher(HasherConfig{UnsafeWeakParameters: true, Memory: 64, Time: 1, MaxConcurrent: 4})
	for _, tt := range []struct {
		memory uint32
		want   int
	}{
		{64, 1},
		{8, 1},
		{65, 2},
		{128, 2},
		{200, 4},
		{hasherMaxMemoryKiB, 4}, // never more than all of them
	} {
		require.Equal(t, tt.want, h.slots(tt.memory), "slots(%d)", tt.memory)
	}
}
