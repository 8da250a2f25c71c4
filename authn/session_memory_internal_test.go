package authn

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func (m *MemorySessionStore) count() (sessions, users int) {
	for i := range m.shards {
		m.shards[i].mu.RLock()
		sessions += len(m.shards[i].m)
		m.shards[i].mu.RUnlock()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return sessions, len(m.users)
}

// TestMemorySessionStoreStaysBounded checks that expired sessions of users
// who never come back are swept by later writes, without a goroutine.
func TestMemorySessionStoreStaysBounded(t *testing.T) {
	ctx := context.Background()
	st := NewMemorySessionStore()
	lim := SessionLimits{Idle: time.Minute, Touch: time.Second, MaxPerUser: 5}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	newSession := func(user string, at time.Time) Session {
		_, id := newSessionToken()
		return Session{ID: id, UserID: user, CreatedAt: at, LastSeen: at, AuthTime: at, ExpiresAt: at.Add(time.Hour)}
	}
	for i := range 5000 {
		if err := st.Create(ctx, newSession(fmt.Sprintf("gone-%d", i), t0), lim); err != nil {
			t.Fatal(err)
		}
	}
	if n, u := st.count(); n != 5000 || u != 5000 {
		t.Fatalf("count() = %d sessions, %d users, want 5000, 5000", n, u)
	}
	// Later, one active user logs in repeatedly; the per-user cap holds
	// and the sweep removes the idle sessions of everyone else.
	later := t0.Add(2 * time.Minute)
	for i := range sessionMemShards * sessionMemSweepEvery {
		if err := st.Create(ctx, newSession("active", later.Add(time.Duration(i)*time.Millisecond)), lim); err != nil {
			t.Fatal(err)
		}
	}
	if n, u := st.count(); n != lim.MaxPerUser || u != 1 {
		t.Fatalf("count() = %d sessions, %d users, want %d, 1", n, u, lim.MaxPerUser)
	}
}
