package audit

import (
	"context"
	"maps"
	"sync"
)

// MemorySink keeps the most recent events in memory, for tests and small
// applications that show a recent-activity page. It is bounded: when full,
// the oldest event is evicted and counted in [MemorySink.Evicted].
//
// Create one with [NewMemorySink]; the zero value is not usable. It is
// safe for concurrent use. It stores a copy of each event's
// metadata, so callers may reuse their maps.
type MemorySink struct {
	mu      sync.Mutex
	max     int
	ring    []Event // grows to max, then wraps
	start   int     // index of the oldest event
	evicted uint64
}

var _ Sink = (*MemorySink)(nil)

// NewMemorySink returns a sink keeping at most capacity events (1000 when
// capacity <= 0).
func NewMemorySink(capacity int) *MemorySink {
	if capacity <= 0 {
		capacity = 1000
	}
	return &MemorySink{max: capacity}
}

// Write stores e, evicting the oldest event when full. It never fails.
func (s *MemorySink) Write(_ context.Context, e Event) error {
	e.Metadata = maps.Clone(e.Metadata)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.ring) < s.max {
		s.ring = append(s.ring, e)
		return nil
	}
	s.ring[s.start] = e
	s.start = (s.start + 1) % len(s.ring)
	s.evicted++
	return nil
}

// Events returns the stored events, oldest first. The result is a copy.
func (s *MemorySink) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.ring))
	for i := range out {
		e := s.ring[(s.start+i)%len(s.ring)]
		e.Metadata = maps.Clone(e.Metadata)
		out[i] = e
	}
	return out
}

// Len returns the number of stored events.
func (s *MemorySink) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ring)
}

// Evicted returns how many events were pushed out because the sink was
// full.
func (s *MemorySink) Evicted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.evicted
}
