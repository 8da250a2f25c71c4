package authn

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMemoryTokenStoreSweepsExpiredRecords(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewMemoryTokenStore()
	s.now = func() time.Time { return now }
	save := func(subject string, ttl time.Duration) {
		t.Helper()
		rec := TokenRecord{Purpose: "p", Subject: subject, ExpiresAt: now.Add(ttl)}
		rec.Key[0], rec.Key[1] = byte(len(subject)), subject[0]
		require.NoError(t, s.SaveToken(ctx, rec, false))
	}
	save("a", time.Minute)
	save("bb", time.Hour)
	require.Equal(t, 2, s.Len())

	now = now.Add(30 * time.Second) // within the sweep interval: nothing swept
	save("ccc", time.Hour)
	require.Equal(t, 3, s.Len())

	now = now.Add(2 * time.Minute) // "a" expired and the interval passed
	save("dddd", time.Hour)
	require.Equal(t, 3, s.Len(), "the expired record is gone")
	require.Len(t, s.bySubject, 3, "and so is its index entry")
}

func TestMemoryApprovalNonceStoreSweepsExpiredNonces(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := NewMemoryApprovalNonceStore()
	s.now = func() time.Time { return now }
	ok, err := s.ClaimApprovalNonce(ctx, [16]byte{1}, now.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	now = now.Add(2 * time.Minute)
	ok, err = s.ClaimApprovalNonce(ctx, [16]byte{2}, now.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	require.Len(t, s.used, 1)
}
