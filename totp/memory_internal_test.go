package totp

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryStoreSweepsExpiredRecords(t *testing.T) {
	ctx := context.Background()
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemoryStore()
	m.now = func() time.Time { return wall }

	for i := range minSweep / 2 {
		_, err := m.AcceptStep(ctx, fmt.Sprint("user", i), 1, time.Minute)
		require.NoError(t, err)
		if i > 0 { // one short, so that the insert below triggers the sweep
			_, _, err = m.Attempt(ctx, fmt.Sprint("user", i), wall, 5, time.Minute)
			require.NoError(t, err)
		}
	}
	wall = wall.Add(2 * time.Minute) // everything above has expired
	_, err := m.AcceptStep(ctx, "late", 1, time.Minute)
	require.NoError(t, err)

	m.mu.Lock()
	defer m.mu.Unlock()
	assert.Equal(t, 1, len(m.replay), "expired replay records were not swept")
	assert.Equal(t, 0, len(m.attempts), "expired attempt records were not swept")
}

func TestMemoryStoreForgetsReplayRecordAfterTTL(t *testing.T) {
	ctx := context.Background()
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemoryStore()
	m.now = func() time.Time { return wall }

	ok, err := m.AcceptStep(ctx, "alice", 10, time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	wall = wall.Add(59 * time.Second)
	ok, err = m.AcceptStep(ctx, "alice", 10, time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "record dropped before its TTL")
	wall = wall.Add(time.Second)
	ok, err = m.AcceptStep(ctx, "alice", 10, time.Minute)
	require.NoError(t, err)
	assert.True(t, ok, "record kept after its TTL")
}
