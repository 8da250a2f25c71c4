package ratelimit

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"
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
	// monotonic clock so wall-clock jumps do not affect limits. Tests
	// inject a fake clock here; a clock that goes backwards only makes the
	// store stricter.
	Now func() time.Time
}

// MemoryStore is an in-process [Store]: the default store of a [Limiter],
// right for a single instance. Several instances behind a load balancer
// each keep their own budgets (multiplying the effective limit); use
// ratelimit/redisstore to share them.
//
// It is sharded 256 ways by a keyed hash of the key, each shard an
// open-addressing table with its own mutex, so there is no global lock on
// the hot path, and a decision for a key already tracked allocates
// nothing. Expired entries (whose budget is full again) are dropped
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
	base     time.Time
	now      func() time.Time
	maxShard int // per-shard key cap; 0 means none
	shards   [numShards]shard
}

var _ Store = (*MemoryStore)(nil)

// shard is an open-addressing hash table (linear probing) from key hash
// to theoretical arrival time, guarded by its own mutex. A decision for a
// tracked key is one probe sequence and an in-place update. Entries are
// never deleted one by one: expired entries are dropped when the table is
// rebuilt, which happens when it fills up, when it reaches its cap, or at
// most every sweepEvery on an insertion; the rebuilt table is sized for
// the survivors, so memory follows the number of live keys.
type shard struct {
	mu        sync.Mutex
	slots     []slot // power-of-two length; key 0 marks an empty slot
	n         int    // occupied slots, expired entries included
	minTAT    int64  // no entry expires before this
	nextSweep int64  // earliest time of the next periodic sweep
	_         [16]byte
}

type slot struct {
	key uint64 // key hash, never 0
	tat int64  // theoretical arrival time, ns since the store's base
}

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
		sh.slots = make([]slot, minSlots)
		sh.minTAT = math.MaxInt64
	}
	return s
}

// clock returns the current time in nanoseconds since s.base. With the
// default clock this reads only the monotonic clock.
func (s *MemoryStore) clock() int64 {
	if s.now == nil {
		return int64(time.Since(s.base))
	}
	return int64(s.now().Sub(s.base))
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
	var now int64
	if s.now == nil {
		now = int64(time.Since(s.base)) // inlined: reads only the monotonic clock
	} else {
		now = s.clock()
	}

	sh.mu.Lock()
	i, found := sh.find(h)
	stored := int64(math.MinInt64)
	if found {
		stored = sh.slots[i].tat
	}
	newTAT, r := decide(stored, now, limit, n)
	if newTAT != stored {
		if found {
			sh.slots[i].tat = newTAT
		} else if !sh.insert(h, newTAT, now, s.maxShard) {
			sh.mu.Unlock()
			return Result{}, ErrStoreFull
		}
		if newTAT < sh.minTAT {
			sh.minTAT = newTAT
		}
	}
	sh.mu.Unlock()
	return r, nil
}

// find returns the index of key h, or of the empty slot where it would go.
func (sh *shard) find(h uint64) (int, bool) {
	mask := uint64(len(sh.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		switch sh.slots[i].key {
		case h:
			return int(i), true
		case 0:
			return int(i), false
		}
	}
}

// insert adds key h, which is not in the table, making room first: the
// table is rebuilt (dropping expired entries) when it would pass 3/4 full,
// when the cap max (0: none) is reached and something may have expired,
// or when a periodic sweep is due. It reports false when the shard is at
// its cap with live keys only.
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
	case (sh.n+1)*4 > len(sh.slots)*3:
		sh.rebuild(now, true)
	case now >= sh.nextSweep && now >= sh.minTAT:
		sh.rebuild(now, false)
	}
	i, _ := sh.find(h)
	sh.slots[i] = slot{key: h, tat: tat}
	sh.n++
	return true
}

// rebuild drops expired entries (TAT at or before now: their budget is
// full, which is what a missing entry means too) and re-inserts the
// survivors into a table with room for twice their number. Unless must is
// set (the table is too full to take another key), it leaves the table as
// it is when less than a quarter of it has expired.
func (sh *shard) rebuild(now int64, must bool) {
	sh.nextSweep = now + sweepEvery
	live := 0
	minTAT := int64(math.MaxInt64)
	if now >= sh.minTAT {
		for _, e := range sh.slots {
			if e.key != 0 && e.tat > now {
				live++
				minTAT = min(minTAT, e.tat)
			}
		}
	} else { // nothing can have expired
		live, minTAT = sh.n, sh.minTAT
	}
	if !must && live*4 > sh.n*3 {
		return // not worth it; minTAT stays a bound for the expired entries
	}
	size := minSlots
	for size < 2*(live+1) {
		size *= 2
	}
	old := sh.slots
	sh.slots = make([]slot, size)
	sh.n = 0
	for _, e := range old {
		if e.key != 0 && e.tat > now {
			i, _ := sh.find(e.key)
			sh.slots[i] = e
			sh.n++
		}
	}
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
