package totp

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Compile-time checks that MemoryStore implements every store interface.
var (
	_ ReplayStore  = (*MemoryStore)(nil)
	_ AttemptStore = (*MemoryStore)(nil)
	_ BackupStore  = (*MemoryStore)(nil)
)

// minSweep is the map size below which expired entries are not swept.
const minSweep = 1024

// MemoryStore is an in-process [ReplayStore], [AttemptStore] and
// [BackupStore]. The zero value is an empty store ready to use, as is
// [NewMemoryStore]'s result; it is safe for concurrent use and must not be
// copied after first use.
//
// Replay and attempt records expire (by the wall clock) and are swept as the
// maps grow, so memory stays proportional to the users active in the last few
// minutes. Backup codes never expire and are lost when the process exits: use
// MemoryStore for backup codes only in tests, and for replay and attempt
// records only when a single process serves all verifications. With several
// instances, an attacker could replay a code or spread guesses across them;
// use totp/redisstore there.
type MemoryStore struct {
	mu        sync.Mutex
	replay    map[string]replayEntry
	attempts  map[string]attemptEntry
	backup    map[string][][]byte
	nextSweep int
	now       func() time.Time // wall clock for expiry only
}

type replayEntry struct {
	step    uint64
	expires time.Time
}

type attemptEntry struct {
	count   int
	until   time.Time // end of the window, by the caller's clock
	expires time.Time // eviction deadline, by the wall clock
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	m := &MemoryStore{}
	m.init()
	return m
}

// init makes the zero value usable. It is called with m.mu held (or before
// the store is shared).
func (m *MemoryStore) init() {
	if m.replay != nil {
		return
	}
	m.replay = make(map[string]replayEntry)
	m.attempts = make(map[string]attemptEntry)
	m.backup = make(map[string][][]byte)
	m.nextSweep = minSweep
	if m.now == nil {
		m.now = time.Now
	}
}

// wall returns the wall clock used for expiry. m.mu is held.
func (m *MemoryStore) wall() time.Time {
	m.init()
	return m.now()
}

// AcceptStep implements [ReplayStore].
func (m *MemoryStore) AcceptStep(_ context.Context, user string, step uint64, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.wall()
	if e, ok := m.replay[user]; ok && now.Before(e.expires) && e.step >= step {
		return false, nil
	}
	m.replay[user] = replayEntry{step: step, expires: now.Add(ttl)}
	m.maybeSweep(now)
	return true, nil
}

// Attempt implements [AttemptStore].
func (m *MemoryStore) Attempt(_ context.Context, user string, now time.Time, limit int, window time.Duration) (bool, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	wall := m.wall()
	e, ok := m.attempts[user]
	if !ok || !now.Before(e.until) || !wall.Before(e.expires) {
		e = attemptEntry{until: now.Add(window), expires: wall.Add(window)}
	}
	if e.count >= limit {
		return false, e.until, nil
	}
	e.count++
	if e.count >= limit {
		e.until = now.Add(window)
		e.expires = wall.Add(window)
	}
	m.attempts[user] = e
	m.maybeSweep(wall)
	return true, e.until, nil
}

// ResetAttempts implements [AttemptStore].
func (m *MemoryStore) ResetAttempts(_ context.Context, user string) error {
	m.mu.Lock()
	delete(m.attempts, user) // deleting from a nil map is a no-op
	m.mu.Unlock()
	return nil
}

// SetBackupCodes implements [BackupStore]. It stores copies of hashes.
func (m *MemoryStore) SetBackupCodes(_ context.Context, user string, hashes [][]byte) error {
	set := make([][]byte, 0, len(hashes))
	for _, h := range hashes {
		set = append(set, bytes.Clone(h))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if len(set) == 0 {
		delete(m.backup, user)
		return nil
	}
	m.backup[user] = set
	return nil
}

// BackupCodes implements [BackupStore]. The returned slice is a copy of the
// set but shares the (never modified) hash bytes.
func (m *MemoryStore) BackupCodes(_ context.Context, user string) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set := m.backup[user]
	if len(set) == 0 {
		return nil, nil
	}
	return append([][]byte(nil), set...), nil
}

// ConsumeBackupCode implements [BackupStore].
func (m *MemoryStore) ConsumeBackupCode(_ context.Context, user string, hash []byte) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	set := m.backup[user]
	for i, h := range set {
		// Not secret-dependent timing that matters: the caller already
		// compared in constant time; this only finds the slot to delete.
		if bytes.Equal(h, hash) {
			last := len(set) - 1
			set[i] = set[last]
			set[last] = nil
			set = set[:last]
			if len(set) == 0 {
				delete(m.backup, user)
			} else {
				m.backup[user] = set
			}
			return true, nil
		}
	}
	return false, nil
}

// maybeSweep drops expired replay and attempt records once the maps have
// doubled since the last sweep, keeping the cost amortised O(1). m.mu is held.
func (m *MemoryStore) maybeSweep(wall time.Time) {
	if len(m.replay)+len(m.attempts) < m.nextSweep {
		return
	}
	for k, e := range m.replay {
		if !wall.Before(e.expires) {
			delete(m.replay, k)
		}
	}
	for k, e := range m.attempts {
		if !wall.Before(e.expires) {
			delete(m.attempts, k)
		}
	}
	m.nextSweep = max(2*(len(m.replay)+len(m.attempts)), minSweep)
}
