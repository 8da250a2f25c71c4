package audit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"
)

// ErrDropped is returned by [AsyncSink.Write] when the event was not
// accepted: the queue was full in drop mode, or the context ended while
// waiting for room. Every such event is counted and reported to OnDrop.
var ErrDropped = errors.New("audit: event dropped, async queue full")

// ErrSinkPanicked is passed to AsyncConfig.OnError (wrapped, with the
// panic value) when the inner sink panicked while writing an event. The
// background writer recovers, counts the event as failed and goes on, so
// one bad event cannot crash the process and take the queued events with
// it.
var ErrSinkPanicked = errors.New("audit: sink panicked")

// AsyncConfig configures an [AsyncSink]. The zero value is not valid: Sink
// is required.
type AsyncConfig struct {
	// Sink receives the events, one at a time, from a single background
	// goroutine, with a background context (the event has already been
	// accepted; the request that produced it may be long gone). Required.
	Sink Sink

	// QueueSize bounds how many events wait for the background writer
	// (which may hold up to as many again that it is writing). Default
	// 4096. Memory grows on demand to about 2 x 200 bytes per slot, plus
	// metadata.
	QueueSize int

	// DropWhenFull makes Write drop the event and return [ErrDropped]
	// instead of waiting when the queue is full. Default false: Write blocks
	// until there is room or its context ends, which applies back-pressure
	// to requests rather than losing audit records. Dropping protects
	// latency at the cost of completeness; drops are counted and reported
	// through OnDrop either way, never silent.
	DropWhenFull bool

	// OnDrop, when set, is called synchronously in Write for every event
	// that was not accepted (queue full, context ended, sink closed), with
	// the total number of drops so far. It must be fast and must not call
	// Write on the same sink. Default: none (drops are still counted, see
	// [AsyncSink.Stats]).
	OnDrop func(e Event, totalDropped uint64)

	// OnError, when set, is called from the background goroutine when Sink
	// fails to write an accepted event, or panics ([ErrSinkPanicked]).
	// Default: none (failures are still counted, see [AsyncSink.Stats]).
	OnError func(e Event, err error)
}

// AsyncStats are counters of an [AsyncSink].
type AsyncStats struct {
	Accepted uint64 // events taken into the queue
	Written  uint64 // events the inner sink wrote without error
	Failed   uint64 // accepted events the inner sink returned an error for
	Dropped  uint64 // events refused by Write (each also reported to OnDrop)
	Queued   int    // accepted events not yet handed to the inner sink
}

// AsyncSink decouples request latency from a slow sink: Write appends the
// event to a bounded queue and a background goroutine writes queued events
// to the inner sink in batches, in order.
//
// Loss is never silent. An event is either accepted (Write returns nil), in
// which case it is written to the inner sink before [AsyncSink.Close]
// returns nil, or refused with an error, counted in Stats().Dropped and
// reported to OnDrop. Inner sink failures are counted and reported to
// OnError.
//
// Create one with [NewAsync]; the zero value is not usable. It is safe
// for concurrent use. Call Close at shutdown: it
// drains the queue, then closes (or flushes) the inner sink.
type AsyncSink struct {
	sink    Sink
	max     int
	dropNow bool
	onDrop  func(Event, uint64)
	onError func(Event, error)

	mu       sync.Mutex
	buf      []Event       // accepted, waiting; len(buf) <= max
	spare    []Event       // the writer's previous batch, for reuse
	closed   bool          // no more events accepted
	idle     bool          // the writer waits on wake
	wake     chan struct{} // capacity 1
	space    chan struct{} // closed when room frees up; nil if no writer waits
	progress chan struct{} // closed after each batch; nil if no flusher waits
	closing  chan struct{} // closed when Close starts
	done     chan struct{} // closed when the background writer has exited

	closeOnce   sync.Once
	closeMu     sync.Mutex // guards innerClosed and closeErr
	innerClosed bool
	closeErr    error

	// accepted and dropped change in Write, written and failed in the
	// background writer: keep them on separate cache lines.
	accepted, dropped atomic.Uint64
	_                 [64]byte
	written, failed   atomic.Uint64
}

var (
	_ Sink    = (*AsyncSink)(nil)
	_ Flusher = (*AsyncSink)(nil)
	_ Closer  = (*AsyncSink)(nil)
)

// NewAsync validates cfg and starts the background writer.
func NewAsync(cfg AsyncConfig) (*AsyncSink, error) {
	if cfg.Sink == nil {
		return nil, errors.New("audit: AsyncConfig.Sink is required")
	}
	if cfg.QueueSize < 0 {
		return nil, errors.New("audit: AsyncConfig.QueueSize must not be negative")
	}
	if cfg.QueueSize == 0 {
		cfg.QueueSize = 4096
	}
	s := &AsyncSink{
		sink:    cfg.Sink,
		max:     cfg.QueueSize,
		dropNow: cfg.DropWhenFull,
		onDrop:  cfg.OnDrop,
		onError: cfg.OnError,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		done:    make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Write enqueues e. It returns nil when the event was accepted, [ErrDropped]
// (possibly wrapping ctx.Err()) when it was not, or [ErrClosed] once Close
// has started. Write copies a non-empty Metadata map (one allocation),
// since the event outlives the call.
func (s *AsyncSink) Write(ctx context.Context, e Event) error {
	if s.done == nil {
		// The zero AsyncSink has no queue and no writer: waiting for room
		// would block forever.
		return errors.New("audit: AsyncSink not created with NewAsync")
	}
	if len(e.Metadata) > 0 {
		e.Metadata = maps.Clone(e.Metadata)
	}
	s.mu.Lock()
	for {
		if s.closed {
			s.mu.Unlock()
			s.drop(e)
			return ErrClosed
		}
		if len(s.buf) < s.max {
			s.buf = append(s.buf, e)
			s.accepted.Add(1)
			s.wakeLocked()
			s.mu.Unlock()
			return nil
		}
		if s.dropNow {
			s.mu.Unlock()
			s.drop(e)
			return ErrDropped
		}
		if s.space == nil {
			s.space = make(chan struct{})
		}
		space := s.space
		s.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			s.drop(e)
			return fmt.Errorf("%w: %w", ErrDropped, ctx.Err())
		case <-s.closing:
			s.drop(e)
			return ErrClosed
		}
		s.mu.Lock()
	}
}

// wakeLocked wakes the background writer if it waits. s.mu must be held.
func (s *AsyncSink) wakeLocked() {
	if s.idle {
		s.idle = false
		s.wake <- struct{}{} // never blocks: one send per idle period
	}
}

func (s *AsyncSink) drop(e Event) {
	n := s.dropped.Add(1)
	if s.onDrop != nil {
		s.onDrop(e, n)
	}
}

// Stats returns the current counters.
func (s *AsyncSink) Stats() AsyncStats {
	st := AsyncStats{
		Written:  s.written.Load(),
		Failed:   s.failed.Load(),
		Dropped:  s.dropped.Load(),
		Accepted: s.accepted.Load(),
	}
	if d := st.Accepted - st.Written - st.Failed; st.Accepted >= st.Written+st.Failed {
		st.Queued = int(d)
	}
	return st
}

// Flush waits until every event accepted before the call has been handed to
// the inner sink, then flushes the inner sink. It returns ctx.Err() if ctx
// ends first (the events stay queued) and [ErrClosed] once Close has
// started.
func (s *AsyncSink) Flush(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	target := s.accepted.Load()
	for s.written.Load()+s.failed.Load() < target {
		if s.progress == nil {
			s.progress = make(chan struct{})
		}
		p := s.progress
		s.mu.Unlock()
		select {
		case <-p:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	return Flush(ctx, s.sink)
}

// Close stops accepting events, waits until every accepted event has been
// written to the inner sink, then closes the inner sink (or flushes it when
// it is not a [Closer]). If ctx ends first, Close returns an error saying
// how many events are still queued; the background writer keeps draining
// them. Later calls wait for the same drain and return the same result.
func (s *AsyncSink) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.closing)
		s.wakeLocked()
		s.mu.Unlock()
	})
	select {
	case <-s.done:
	case <-ctx.Done():
		return fmt.Errorf("audit: async close: %d events still queued: %w", s.Stats().Queued, ctx.Err())
	}
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if !s.innerClosed {
		s.closeErr = Close(ctx, s.sink)
		s.innerClosed = true
	}
	return s.closeErr
}

// run is the background writer: it takes all queued events at once (so
// writers and the background writer rarely contend for the lock), writes
// them in order, and exits once closed and drained.
func (s *AsyncSink) run() {
	defer close(s.done)
	bg := context.Background()
	for {
		s.mu.Lock()
		for len(s.buf) == 0 && !s.closed {
			s.idle = true
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		if len(s.buf) == 0 {
			s.mu.Unlock()
			return
		}
		batch := s.buf
		s.buf, s.spare = s.spare[:0], nil
		if s.space != nil {
			close(s.space)
			s.space = nil
		}
		s.mu.Unlock()

		var failed uint64
		for i := range batch {
			if !s.write(bg, batch[i]) {
				failed++
			}
		}
		clear(batch) // drop references to metadata maps

		s.mu.Lock()
		s.failed.Add(failed)
		s.written.Add(uint64(len(batch)) - failed)
		s.spare = batch[:0]
		if s.progress != nil {
			close(s.progress)
			s.progress = nil
		}
		s.mu.Unlock()
	}
}

// write writes one event and reports whether it succeeded.
func (s *AsyncSink) write(ctx context.Context, e Event) bool {
	if err := s.writeRecover(ctx, e); err != nil {
		if s.onError != nil {
			s.onError(e, err)
		}
		return false
	}
	return true
}

// writeRecover calls the inner sink, turning a panic into ErrSinkPanicked.
func (s *AsyncSink) writeRecover(ctx context.Context, e Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrSinkPanicked, p)
		}
	}()
	return s.sink.Write(ctx, e)
}
