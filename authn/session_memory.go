// MemorySessionStore: the in-process default SessionStore.

package authn

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

var _ SessionStore = (*MemorySessionStore)(nil)

const (
	// sessionMemShards is the number of independently locked maps; the
	// validate path takes one shard's read lock and nothing else.
	sessionMemShards = 64
	// sessionMemSweepEvery: one shard is swept of expired sessions every
	// this many writes, so memory stays bounded without a goroutine.
	sessionMemSweepEvery = 8
)

// MemorySessionStore is a [SessionStore] in process memory: the default of
// [SessionConfig]. Sessions do not survive a restart and are not shared
// between processes; use authn/redisstore for that.
//
// The validate path takes one shard's read lock and records LastSeen with
// an atomic store, so it does not contend with other sessions. Expired
// sessions are removed by an incremental sweep driven by writes and by
// per-user pruning, so memory is bounded by the live sessions plus those
// that expired since their shard was last swept. No goroutine is started.
//
// The zero MemorySessionStore is an empty store ready to use, like one
// from [NewMemorySessionStore]. It is safe for concurrent use.
type MemorySessionStore struct {
	shards [sessionMemShards]sessionMemShard

	// mu serialises writes and guards users and writes. Lock order: mu,
	// then a shard.
	mu     sync.Mutex
	users  map[string][]sessionMemRef // sorted by CreatedAt
	writes uint64
}

type sessionMemShard struct {
	mu sync.RWMutex
	m  map[SessionID]*sessionMemEntry
	_  [40]byte // keep shards on separate cache lines
}

// sessionMemRef is one entry of a user's index.
type sessionMemRef struct {
	id      SessionID
	created int64 // CreatedAt in unix nanoseconds
}

type sessionMemEntry struct {
	s        Session      // immutable after insert; LastSeen is in lastSeen
	lastSeen atomic.Int64 // unix nanoseconds
	idle     time.Duration
}

// NewMemorySessionStore returns an empty store.
func NewMemorySessionStore() *MemorySessionStore {
	m := &MemorySessionStore{users: make(map[string][]sessionMemRef)}
	for i := range m.shards {
		m.shards[i].m = make(map[SessionID]*sessionMemEntry)
	}
	return m
}

func (m *MemorySessionStore) shard(id SessionID) *sessionMemShard {
	return &m.shards[id[0]%sessionMemShards]
}

// Create implements [SessionStore].
func (m *MemorySessionStore) Create(ctx context.Context, s Session, lim SessionLimits) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.insertLocked(s, s.CreatedAt, lim)
	return nil
}

// insertLocked stores s, enforcing the per-user cap. m.mu must be held.
func (m *MemorySessionStore) insertLocked(s Session, now time.Time, lim SessionLimits) {
	if s.Data != nil {
		s.Data = maps.Clone(s.Data)
	}
	e := &sessionMemEntry{s: s, idle: lim.Idle}
	e.lastSeen.Store(s.LastSeen.UnixNano())
	sh := m.shard(s.ID)
	sh.mu.Lock()
	if sh.m == nil { // the zero store
		sh.m = make(map[SessionID]*sessionMemEntry)
	}
	sh.m[s.ID] = e
	sh.mu.Unlock()

	// Prune the user's index of sessions that are gone or expired, then
	// evict the earliest-created beyond the cap.
	if m.users == nil {
		m.users = make(map[string][]sessionMemRef)
	}
	ids := m.users[s.UserID]
	kept := ids[:0]
	for _, ref := range ids {
		if m.liveLocked(ref.id, now) {
			kept = append(kept, ref)
		}
	}
	ref := sessionMemRef{id: s.ID, created: s.CreatedAt.UnixNano()}
	i, _ := slices.BinarySearchFunc(kept, ref.created+1, func(r sessionMemRef, t int64) int { return cmp.Compare(r.created, t) })
	kept = slices.Insert(kept, i, ref)
	if lim.MaxPerUser > 0 {
		for len(kept) > lim.MaxPerUser {
			m.deleteEntryLocked(kept[0].id)
			kept = kept[1:]
		}
	}
	m.users[s.UserID] = slices.Clip(kept)

	m.writes++
	if m.writes%sessionMemSweepEvery == 0 {
		m.sweepLocked(int(m.writes/sessionMemSweepEvery)%sessionMemShards, now)
	}
}

// liveLocked reports whether id is stored and not expired at now; expired
// entries are deleted. m.mu must be held.
func (m *MemorySessionStore) liveLocked(id SessionID, now time.Time) bool {
	sh := m.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e := sh.m[id]
	if e == nil {
		return false
	}
	if sessionValidAt(e.s.ExpiresAt, time.Unix(0, e.lastSeen.Load()), now, e.idle) != 0 {
		delete(sh.m, id)
		return false
	}
	return true
}

// deleteEntryLocked removes id from its shard (not from the user index).
func (m *MemorySessionStore) deleteEntryLocked(id SessionID) *sessionMemEntry {
	sh := m.shard(id)
	sh.mu.Lock()
	e := sh.m[id]
	delete(sh.m, id)
	sh.mu.Unlock()
	return e
}

// unindexLocked removes id from userID's index.
func (m *MemorySessionStore) unindexLocked(userID string, id SessionID) {
	ids := slices.DeleteFunc(m.users[userID], func(r sessionMemRef) bool { return r.id == id })
	if len(ids) == 0 {
		delete(m.users, userID)
		return
	}
	m.users[userID] = ids
}

// sweepLocked deletes the expired sessions of shard i.
func (m *MemorySessionStore) sweepLocked(i int, now time.Time) {
	sh := &m.shards[i]
	var dead []*sessionMemEntry
	sh.mu.Lock()
	for id, e := range sh.m {
		if sessionValidAt(e.s.ExpiresAt, time.Unix(0, e.lastSeen.Load()), now, e.idle) != 0 {
			delete(sh.m, id)
			dead = append(dead, e)
		}
	}
	sh.mu.Unlock()
	for _, e := range dead {
		m.unindexLocked(e.s.UserID, e.s.ID)
	}
}

// Validate implements [SessionStore]. It does not allocate.
func (m *MemorySessionStore) Validate(ctx context.Context, id SessionID, now time.Time, lim SessionLimits) (Session, SessionReason, error) {
	sh := m.shard(id)
	sh.mu.RLock()
	e := sh.m[id]
	if e == nil {
		sh.mu.RUnlock()
		return Session{}, SessionReasonUnknown, nil
	}
	last := e.lastSeen.Load()
	if r := sessionValidAt(e.s.ExpiresAt, time.Unix(0, last), now, lim.Idle); r != 0 {
		sh.mu.RUnlock()
		return Session{}, r, nil
	}
	if n := now.UnixNano(); n-last >= int64(lim.Touch) {
		// A concurrent toucher may win; either value is recent enough.
		if e.lastSeen.CompareAndSwap(last, n) {
			last = n
		} else {
			last = e.lastSeen.Load()
		}
	}
	s := e.s
	sh.mu.RUnlock()
	s.LastSeen = time.Unix(0, last)
	return s, 0, nil
}

// Replace implements [SessionStore].
func (m *MemorySessionStore) Replace(ctx context.Context, old SessionID, s Session, now time.Time, lim SessionLimits) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sh := m.shard(old)
	sh.mu.Lock()
	e := sh.m[old]
	ok := e != nil && e.s.UserID == s.UserID &&
		sessionValidAt(e.s.ExpiresAt, time.Unix(0, e.lastSeen.Load()), now, lim.Idle) == 0
	if ok {
		delete(sh.m, old)
	}
	sh.mu.Unlock()
	if !ok {
		return false, nil
	}
	m.unindexLocked(s.UserID, old)
	m.insertLocked(s, now, lim)
	return true, nil
}

// Delete implements [SessionStore].
func (m *MemorySessionStore) Delete(ctx context.Context, id SessionID, userID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sh := m.shard(id)
	sh.mu.Lock()
	e := sh.m[id]
	ok := e != nil && (userID == "" || e.s.UserID == userID)
	if ok {
		delete(sh.m, id)
	}
	sh.mu.Unlock()
	if ok {
		m.unindexLocked(e.s.UserID, id)
	}
	return ok, nil
}

// DeleteUser implements [SessionStore].
func (m *MemorySessionStore) DeleteUser(ctx context.Context, userID string, keep SessionID) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	var kept []sessionMemRef
	for _, ref := range m.users[userID] {
		if ref.id == keep && !keep.IsZero() {
			kept = append(kept, ref)
			continue
		}
		if m.deleteEntryLocked(ref.id) != nil {
			n++
		}
	}
	if len(kept) == 0 {
		delete(m.users, userID)
	} else {
		m.users[userID] = kept
	}
	return n, nil
}

// List implements [SessionStore].
func (m *MemorySessionStore) List(ctx context.Context, userID string, now time.Time, lim SessionLimits) ([]Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Session
	for _, ref := range m.users[userID] {
		sh := m.shard(ref.id)
		sh.mu.RLock()
		e := sh.m[ref.id]
		if e != nil {
			last := time.Unix(0, e.lastSeen.Load())
			if sessionValidAt(e.s.ExpiresAt, last, now, lim.Idle) == 0 {
				s := e.s
				s.LastSeen = last
				s.Data = maps.Clone(s.Data)
				out = append(out, s)
			}
		}
		sh.mu.RUnlock()
	}
	return out, nil
}
