// MemoryRefreshStore: the in-process default RefreshStore.

package authn

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"
)

var _ RefreshStore = (*MemoryRefreshStore)(nil)

// MemoryRefreshStore is a [RefreshStore] in process memory: the default of
// [RefreshConfig]. One mutex guards it (refreshes are rare next to
// requests); expired families are swept as new ones are created, so memory
// stays bounded without a goroutine.
//
// The zero MemoryRefreshStore is an empty store ready to use, like one
// from [NewMemoryRefreshStore]. It is safe for concurrent use.
type MemoryRefreshStore struct {
	mu       sync.Mutex
	families map[SessionID]*refreshMemFamily
	tokens   map[SessionID]SessionID // token ID -> family ID
	users    map[string][]SessionID  // family IDs in creation order
	creates  uint64
}

type refreshMemFamily struct {
	f       RefreshFamily
	current SessionID
	kept    []SessionID // latest tokens, oldest first, current last
}

// NewMemoryRefreshStore returns an empty store.
func NewMemoryRefreshStore() *MemoryRefreshStore {
	return &MemoryRefreshStore{
		families: make(map[SessionID]*refreshMemFamily),
		tokens:   make(map[SessionID]SessionID),
		users:    make(map[string][]SessionID),
	}
}

// Create implements [RefreshStore].
func (m *MemoryRefreshStore) Create(ctx context.Context, f RefreshFamily, token SessionID, lim RefreshLimits) ([]SessionID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.families == nil { // the zero store
		m.families = make(map[SessionID]*refreshMemFamily)
		m.tokens = make(map[SessionID]SessionID)
		m.users = make(map[string][]SessionID)
	}
	now := f.CreatedAt
	m.creates++
	if m.creates%64 == 0 {
		for _, fam := range m.families {
			if sessionValidAt(fam.f.ExpiresAt, fam.f.LastUsed, now, lim.Idle) != 0 {
				m.deleteLocked(fam)
			}
		}
	}
	f.Data = maps.Clone(f.Data)
	m.families[f.ID] = &refreshMemFamily{f: f, current: token, kept: []SessionID{token}}
	m.tokens[token] = f.ID

	var evicted []SessionID
	ids := slices.DeleteFunc(m.users[f.UserID], func(id SessionID) bool {
		fam := m.families[id]
		if fam == nil {
			return true
		}
		if sessionValidAt(fam.f.ExpiresAt, fam.f.LastUsed, now, lim.Idle) != 0 {
			m.deleteFamilyLocked(fam)
			return true
		}
		return false
	})
	ids = append(ids, f.ID)
	for lim.MaxPerUser > 0 && len(ids) > lim.MaxPerUser {
		if fam := m.families[ids[0]]; fam != nil {
			evicted = append(evicted, fam.f.AccessID)
			m.deleteFamilyLocked(fam)
		}
		ids = ids[1:]
	}
	m.users[f.UserID] = slices.Clip(ids)
	return evicted, nil
}

// deleteFamilyLocked removes a family and its tokens, not its index entry.
func (m *MemoryRefreshStore) deleteFamilyLocked(fam *refreshMemFamily) {
	for _, t := range fam.kept {
		delete(m.tokens, t)
	}
	delete(m.families, fam.f.ID)
}

// deleteLocked removes a family, its tokens and its index entry.
func (m *MemoryRefreshStore) deleteLocked(fam *refreshMemFamily) {
	m.deleteFamilyLocked(fam)
	ids := slices.DeleteFunc(m.users[fam.f.UserID], func(id SessionID) bool { return id == fam.f.ID })
	if len(ids) == 0 {
		delete(m.users, fam.f.UserID)
	} else {
		m.users[fam.f.UserID] = ids
	}
}

// Rotate implements [RefreshStore].
func (m *MemoryRefreshStore) Rotate(ctx context.Context, token, next, access SessionID, now time.Time, lim RefreshLimits) (RefreshFamily, SessionReason, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fid, ok := m.tokens[token]
	fam := m.families[fid]
	if !ok || fam == nil {
		return RefreshFamily{}, SessionReasonUnknown, nil
	}
	prev := fam.f
	reason := sessionValidAt(fam.f.ExpiresAt, fam.f.LastUsed, now, lim.Idle)
	if reason == 0 && fam.current != token {
		reason = SessionReasonReused
	}
	if reason != 0 {
		m.deleteLocked(fam)
		return prev, reason, nil
	}
	fam.current = next
	fam.f.LastUsed = now
	fam.f.AccessID = access
	fam.kept = append(fam.kept, next)
	m.tokens[next] = fid
	if lim.MaxKept > 0 {
		for len(fam.kept) > lim.MaxKept {
			delete(m.tokens, fam.kept[0])
			fam.kept = fam.kept[1:]
		}
	}
	return prev, 0, nil
}

// Alive implements [RefreshStore].
func (m *MemoryRefreshStore) Alive(ctx context.Context, family, access SessionID) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fam := m.families[family]
	return fam != nil && fam.f.AccessID == access, nil
}

// Revoke implements [RefreshStore].
func (m *MemoryRefreshStore) Revoke(ctx context.Context, token SessionID) (SessionID, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fam := m.families[m.tokens[token]]
	if fam == nil {
		return SessionID{}, false, nil
	}
	m.deleteLocked(fam)
	return fam.f.AccessID, true, nil
}

// RevokeUser implements [RefreshStore].
func (m *MemoryRefreshStore) RevokeUser(ctx context.Context, userID string) ([]SessionID, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []SessionID
	for _, id := range m.users[userID] {
		if fam := m.families[id]; fam != nil {
			out = append(out, fam.f.AccessID)
			m.deleteFamilyLocked(fam)
		}
	}
	delete(m.users, userID)
	return out, nil
}
