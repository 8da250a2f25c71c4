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

	// minSweep is the shard size below which expired entries are left
	// alone: sweeping a tiny map is not worth the pause.
	minSweep = 64
)

// MemoryConfig configures a [MemoryStore]. The zero value is ready to use.
type MemoryConfig struct {
	// MaxKeys caps the number of keys tracked at once. The cap is enforced
	// per shard (each of the 256 shards holds at most MaxKeys/256, rounded
	// up), so the store may refuse a new key slightly before MaxKeys keys
	// are tracked in total.
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
	// one period after its last event), about 20-40 bytes per key.
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
// It is sharded 256 ways by a keyed hash of the key, each shard with its
// own mutex, so there is no global lock on the hot path, and a decision for
// a key already tracked allocates nothing. Expired entries are swept
// incrementally, one shard at a time, when a shard has doubled since its
// last sweep, and a shard's table is rebuilt when most of it is empty, so
// memory follows the number of live keys.
//
// Keys are stored as 64-bit keyed hashes (hash/maphash with a random
// seed), not as strings: raw keys (IP addresses, user IDs) are never kept,
// and the store uses about 20-40 bytes per key. Two distinct keys share a
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

type shard struct {
	mu      sync.Mutex
	m       map[uint64]int64 // key hash -> theoretical arrival time (ns since base)
	sweepAt int              // sweep when an insert finds len(m) >= sweepAt
	minTAT  int64            // lower bound of every stored TAT: no entry expires before it
	peak    int              // largest len(m) since the map was (re)built
	_       [24]byte         // keep shards on separate cache lines
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
		sh.m = make(map[uint64]int64)
		sh.sweepAt = minSweep
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
	now := s.clock()

	sh.mu.Lock()
	stored, ok := sh.m[h]
	if !ok {
		stored = math.MinInt64
	}
	newTAT, r := decide(stored, now, limit, n)
	if newTAT != stored {
		if !ok && !sh.makeRoom(now, s.maxShard) {
			sh.mu.Unlock()
			return Result{}, ErrStoreFull
		}
		sh.m[h] = newTAT
		if newTAT < sh.minTAT {
			sh.minTAT = newTAT
		}
	}
	sh.mu.Unlock()
	return r, nil
}

// makeRoom prepares the shard for one more key: it sweeps expired entries
// when the shard has grown enough (and something can have expired), then
// reports whether the cap max (0: none) leaves room. Called with mu held.
func (sh *shard) makeRoom(now int64, max int) bool {
	n := len(sh.m)
	full := max > 0 && n >= max
	if (n >= sh.sweepAt || full) && now >= sh.minTAT {
		sh.sweep(now)
		n = len(sh.m)
	}
	if n+1 > sh.peak {
		sh.peak = n + 1
	}
	return max == 0 || n < max
}

// sweep deletes expired entries (TAT at or before now: their budget is
// full, which is what a missing entry means too), rebuilds the table when
// most of it is empty so the memory is returned, and schedules the next
// sweep for when the shard has doubled. Called with mu held.
func (sh *shard) sweep(now int64) {
	minTAT := int64(math.MaxInt64)
	for k, tat := range sh.m {
		if tat <= now {
			delete(sh.m, k)
		} else if tat < minTAT {
			minTAT = tat
		}
	}
	sh.minTAT = minTAT
	n := len(sh.m)
	// Go maps never shrink; copy the survivors when they fill less than a
	// quarter of the largest size the table reached.
	if sh.peak > 4*minSweep && n < sh.peak/4 {
		m := make(map[uint64]int64, n)
		for k, v := range sh.m {
			m[k] = v
		}
		sh.m = m
		sh.peak = n
	}
	sh.sweepAt = max(minSweep, 2*n)
}

// Len returns the number of keys currently stored, including expired ones
// not yet swept. It locks each shard in turn, so it is meant for metrics
// and tests, not for the hot path.
func (s *MemoryStore) Len() int {
	total := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		total += len(sh.m)
		sh.mu.Unlock()
	}
	return total
}
