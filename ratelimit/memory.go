package ratelimit

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

const (
	shardBits = 8
	numShards = 1 << shardBits

	// minSlots is the smallest table of a shard.
	minSlots = 8

	// sweepEvery is how often, at most, a shard scans for expired entries
	// when no growth forces it to; the scan runs on an insertion, so an
	// idle store does no work.
	sweepEvery = int64(10 * time.Second)
)

// MemoryConfig configures a [MemoryStore]. The zero value is ready to use.
type MemoryConfig struct {
	// MaxKeys caps the number of keys tracked at once. The cap is enforced
	// per shard: each of the 256 shards holds at most MaxKeys/256, rounded
	// up. A new key can therefore be refused a little before MaxKeys keys
	// are tracked in total (when its shard is full), and the total can
	// exceed MaxKeys by the rounding (at most 255 keys).
	//
	// When a shard is full of live keys, a decision for a key it does not
	// already track returns [ErrStoreFull] (fail closed: the [Limiter]
	// answers 503 unless configured to fail open). Keys already tracked
	// keep working, and room comes back as soon as entries expire.
	// Evicting live keys instead would reset their budgets, handing an
	// attacker who can mint keys a way to clear their own limit.
	//
	// Default 0: no cap. Memory is then bounded by the number of keys
	// live at once (each expires when its budget is full again, at most
	// one period after its last event), about 20-50 bytes per key.
	MaxKeys int

	// Now returns the current time. Default time.Now, read through the
	// monotonic clock so wall-clock jumps do not affect limits (and the
	// fake clock of a testing/synctest bubble the store was created in).
	// Tests inject a fake clock here; a clock that goes backwards only
	// makes the store stricter.
	Now func() time.Time
}

// MemoryStore is an in-process [Store]: the default store of a [Limiter],
// right for a single instance. Several instances behind a load balancer
// each keep their own budgets (multiplying the effective limit); use
// ratelimit/redisstore to share them.
//
// It is sharded 256 ways by a keyed hash of the key, each shard an
// open-addressing table. A decision for a key already tracked takes no
// lock at all (one compare-and-swap on the key's slot; a denial writes
// nothing) and allocates nothing; inserting a new key locks only its
// shard. Expired entries (whose budget is full again) are dropped
// incrementally, one shard at a time, when a shard's table fills up or at
// most every 10 seconds on an insertion; the rebuilt table is sized for
// the survivors, so memory follows the number of live keys and is given
// back after a spike.
//
// Keys are stored as 64-bit keyed hashes (hash/maphash with a random
// seed), not as strings: raw keys (IP addresses, user IDs) are never kept,
// and the store uses about 20-50 bytes per key. Two distinct keys share a
// budget only if their hashes collide, with probability about n²/2⁶⁵ for n
// live keys (one in 36 million for a million keys); the seed is secret, so
// collisions cannot be aimed, and a collision makes the two keys stricter,
// never looser.
//
// The zero MemoryStore is not usable; call [NewMemoryStore]. A
// MemoryStore is safe for concurrent use and starts no goroutines.
type MemoryStore struct {
	seed     maphash.Seed
	base     time.Time        // origin of the store's clock: TATs are ns since base
	now      func() time.Time // MemoryConfig.Now, or nil for the monotonic clock
	maxShard int              // per-shard key cap; 0 means none
	shards   [numShards]shard
}

var _ Store = (*MemoryStore)(nil)

// shard is an open-addressing hash table (linear probing) from key hash
// to theoretical arrival time. Entries are never deleted one by one:
// expired entries are dropped when the table is rebuilt, which happens when
// it fills up, when it reaches its cap, or at most every sweepEvery on an
// insertion; the rebuilt table is sized for the survivors, so memory
// follows the number of live keys.
//
// A decision for a key the table already holds takes no lock: it reads the
// current table, finds the slot, and updates its TAT with a
// compare-and-swap, so concurrent decisions on different keys share no
// written cache line but their own slot's, and a denial writes nothing.
// Inserting a key and rebuilding the table take mu. A rebuild swaps every
// old slot's TAT for the moved marker as it copies it, so a decision that
// raced with the rebuild either landed before the copy (and was copied) or
// fails its compare-and-swap and retries on the new table: no update is
// lost.
type shard struct {
	tab       atomic.Pointer[table] // replaced only under mu
	mu        sync.Mutex
	n         int   // occupied slots, expired entries included (mu)
	minTAT    int64 // no entry expires before this (mu)
	nextSweep int64 // earliest time of the next periodic sweep (mu)

	// Pad each shard to two cache lines so that goroutines working on
	// neighbouring shards do not contend for one line (false sharing),
	// including through the adjacent-line prefetcher.
	_ [128 - 40]byte
}

// table is one generation of a shard's slots.
type table struct {
	slots []slot // power-of-two length; key 0 marks an empty slot
	mask  uint64 // len(slots) - 1
}

func newTable(size int) *table {
	return &table{slots: make([]slot, size), mask: uint64(size - 1)}
}

type slot struct {
	key atomic.Uint64 // key hash, never 0; written once, before publication or under mu after tat
	tat atomic.Int64  // theoretical arrival time, ns since the store's base; moved once copied away
}

// moved marks a slot whose entry a rebuild has copied to a newer table. It
// is never a real TAT: decide stores math.MinInt64 for nothing.
const moved = math.MinInt64

// NewMemoryStore returns a MemoryStore configured by cfg. It panics if
// cfg.MaxKeys is negative (a static programming error).
func NewMemoryStore(cfg MemoryConfig) *MemoryStore {
	if cfg.MaxKeys < 0 {
		panic("ratelimit: MemoryConfig.MaxKeys is negative")
	}
	s := &MemoryStore{seed: maphash.MakeSeed(), now: cfg.Now}
	if s.now != nil {
		s.base = s.now()
	} else {
		s.base = time.Now()
	}
	if cfg.MaxKeys > 0 {
		s.maxShard = (cfg.MaxKeys + numShards - 1) / numShards
	}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.tab.Store(newTable(minSlots))
		sh.minTAT = math.MaxInt64
	}
	return s
}

// Allow implements [Store]. It never fails except for invalid arguments
// and, with MaxKeys set, [ErrStoreFull]. ctx is not used.
func (s *MemoryStore) Allow(_ context.Context, key string, limit Limit, n int) (Result, error) {
	if err := CheckArgs(limit, n); err != nil {
		return Result{}, err
	}
	h := maphash.String(s.seed, key)
	sh := &s.shards[h>>(64-shardBits)]
	if h == 0 {
		h = 1 // 0 marks empty slots
	}
	// Reading the monotonic clock is about half of a decision on some
	// virtual machines. A copy of it refreshed every millisecond by a
	// timer was tried: it halved the benchmark, but its timer wake-ups
	// cost more CPU than it saved below about 100,000 decisions a second,
	// and its lag made some answers inexact. So every decision reads it.
	var now int64
	if s.now == nil {
		now = int64(time.Since(s.base)) // inlined: reads only the monotonic clock
	} else {
		now = int64(s.now().Sub(s.base))
	}

	// Fast path: the key is tracked; no lock.
	if sl := sh.tab.Load().find(h); sl != nil {
		if r, ok := update(sl, now, limit, n); ok {
			return r, nil
		}
		// A rebuild is moving the slot: wait for it on the lock below
		// rather than spin until the new table is published.
	}

	// Slow path, under the shard's lock, which rebuilds also hold: the
	// table is stable and its slots cannot be moved.
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sl := sh.tab.Load().find(h); sl != nil {
		// Inserted or rebuilt meanwhile; fast-path decisions may still
		// update it concurrently, which update's compare-and-swap handles.
		// It cannot report a move here (a zero Result would deny).
		r, _ := update(sl, now, limit, n)
		return r, nil
	}
	newTAT, r := decide(math.MinInt64, now, limit, n)
	if newTAT == math.MinInt64 {
		return r, nil // a denial or a peek of an untracked key stores nothing
	}
	if !sh.insert(h, newTAT, now, s.maxShard) {
		return Result{}, ErrStoreFull
	}
	return r, nil
}

// update applies one decision to a tracked slot with compare-and-swap. It
// reports false if the slot was moved to a newer table.
func update(sl *slot, now int64, limit Limit, n int) (Result, bool) {
	for {
		old := sl.tat.Load()
		if old == moved {
			return Result{}, false
		}
		newTAT, r := decide(old, now, limit, n)
		if newTAT == old || sl.tat.CompareAndSwap(old, newTAT) {
			return r, true
		}
	}
}

// find returns key h's slot, or nil if t does not hold it.
func (t *table) find(h uint64) *slot {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.slots[i].key.Load() {
		case h:
			return &t.slots[i]
		case 0:
			return nil
		}
	}
}

// put stores key h with tat in the first free slot of its probe sequence.
// The caller holds mu (or owns t before publication) and knows h is absent.
// The TAT is written before the key, so a lock-free reader that sees the
// key sees its TAT.
func (t *table) put(h uint64, tat int64) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		if t.slots[i].key.Load() == 0 {
			t.slots[i].tat.Store(tat)
			t.slots[i].key.Store(h)
			return
		}
	}
}

// insert adds key h, which is not in the table, making room first: the
// table is rebuilt (dropping expired entries) when it would pass 3/4 full,
// when the cap max (0: none) is reached and something may have expired,
// or when a periodic sweep is due. It reports false when the shard is at
// its cap with live keys only. The caller holds mu.
func (sh *shard) insert(h uint64, tat, now int64, max int) bool {
	switch {
	case max > 0 && sh.n >= max:
		if now < sh.minTAT {
			return false // nothing can have expired
		}
		sh.rebuild(now, true)
		if sh.n >= max {
			return false
		}
	case (sh.n+1)*4 > len(sh.tab.Load().slots)*3:
		sh.rebuild(now, true)
	case now >= sh.nextSweep && now >= sh.minTAT:
		sh.rebuild(now, false)
	}
	sh.tab.Load().put(h, tat)
	sh.n++
	sh.minTAT = min(sh.minTAT, tat)
	return true
}

// rebuild drops expired entries (TAT at or before now: their budget is
// full, which is what a missing entry means too) and moves the survivors
// into a new table with room for twice their number. Unless must is set
// (the table is too full to take another key), it leaves the table as it
// is when less than a quarter of it has expired. The caller holds mu.
func (sh *shard) rebuild(now int64, must bool) {
	sh.nextSweep = now + sweepEvery
	old := sh.tab.Load()
	if !must {
		if now < sh.minTAT {
			return // nothing can have expired
		}
		live := 0
		for i := range old.slots {
			if old.slots[i].key.Load() != 0 && old.slots[i].tat.Load() > now {
				live++
			}
		}
		if live*4 > sh.n*3 {
			return // not worth it; minTAT stays a bound for the expired entries
		}
	}
	// Take every entry out of the old table. From its swap on, a slot
	// refuses fast-path updates, which retry on the new table once it is
	// published (or wait for mu).
	type entry struct {
		key uint64
		tat int64
	}
	kept := make([]entry, 0, sh.n)
	minTAT := int64(math.MaxInt64)
	for i := range old.slots {
		sl := &old.slots[i]
		k := sl.key.Load()
		if k == 0 {
			continue
		}
		if tat := sl.tat.Swap(moved); tat > now {
			kept = append(kept, entry{k, tat})
			minTAT = min(minTAT, tat)
		}
	}
	size := minSlots
	for size < 2*(len(kept)+1) {
		size *= 2
	}
	t := newTable(size)
	for _, e := range kept {
		t.put(e.key, e.tat)
	}
	sh.tab.Store(t)
	sh.n = len(kept)
	sh.minTAT = minTAT
}

// Len returns the number of keys currently stored, including expired ones
// not yet swept. It locks each shard in turn, so it is meant for metrics
// and tests, not for the hot path.
func (s *MemoryStore) Len() int {
	total := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		total += sh.n
		sh.mu.Unlock()
	}
	return total
}

// The padding above assumes these field sizes; a change that breaks it
// fails to compile here.
var _ [128]byte = [unsafe.Sizeof(shard{})]byte{}
