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

// AsyncConfig configures an [AsyncSink]. The zero value is not valid: Sink
// is required.
type AsyncConfig struct {
	// Sink receives the events, one at a time, from a single background
	// goroutine, with a background context (the event has already been
	// accepted; the request that produced it may be long gone). Required.
	Sink Sink

	// QueueSize bounds how many events wait for the background writer.
	// Default 4096. Memory use is about 250 bytes per slot plus metadata.
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
	// fails to write an accepted event. Default: none (failures are still
	// counted, see [AsyncSink.Stats]).
	OnError func(e Event, err error)
}

// AsyncStats are counters of an [AsyncSink]. Accepted = Written + Failed +
// Queued once the background writer is idle.
type AsyncStats struct {
	Accepted uint64 // events taken into the queue
	Written  uint64 // events the inner sink wrote without error
	Failed   uint64 // accepted events the inner sink returned an error for
	Dropped  uint64 // events refused by Write (each also reported to OnDrop)
	Queued   int    // events waiting now
}

// AsyncSink decouples request latency from a slow sink: Write puts the
// event into a bounded queue and a background goroutine writes it to the
// inner sink.
//
// Loss is never silent. An event is either accepted (Write returns nil), in
// which case it is written to the inner sink before [AsyncSink.Close]
// returns nil, or refused with an error, counted in Stats().Dropped and
// reported to OnDrop. Inner sink failures are counted and reported to
// OnError.
//
// An AsyncSink is safe for concurrent use. Call Close at shutdown: it
// drains the queue, then closes (or flushes) the inner sink.
type AsyncSink struct {
	sink    Sink
	dropNow bool
	onDrop  func(Event, uint64)
	onError func(Event, error)

	q        chan Event
	flushReq chan chan error
	closing  chan struct{} // closed when Close starts: wakes blocked writers
	done     chan struct{} // closed when the background writer has exited

	// mu fences Close against in-flight sends: writers hold it shared while
	// they may send on q; Close takes it exclusively before closing q.
	mu     sync.RWMutex
	closed bool

	closeOnce   sync.Once
	closeMu     sync.Mutex // guards innerClosed and closeErr
	innerClosed bool
	closeErr    error

	accepted, written, failed, dropped atomic.Uint64
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
		sink:     cfg.Sink,
		dropNow:  cfg.DropWhenFull,
		onDrop:   cfg.OnDrop,
		onError:  cfg.OnError,
		q:        make(chan Event, cfg.QueueSize),
		flushReq: make(chan chan error),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Write enqueues e. It returns nil when the event was accepted, [ErrDropped]
// (possibly wrapping ctx.Err()) when it was not, or [ErrClosed] after Close.
// Write copies a non-empty Metadata map (one allocation), since the event
// outlives the call.
func (s *AsyncSink) Write(ctx context.Context, e Event) error {
	if len(e.Metadata) > 0 {
		e.Metadata = maps.Clone(e.Metadata)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		s.drop(e)
		return ErrClosed
	}
	select {
	case s.q <- e:
		s.mu.RUnlock()
		s.accepted.Add(1)
		return nil
	default:
	}
	if s.dropNow {
		s.mu.RUnlock()
		s.drop(e)
		return ErrDropped
	}
	select {
	case s.q <- e:
		s.mu.RUnlock()
		s.accepted.Add(1)
		return nil
	case <-ctx.Done():
		s.mu.RUnlock()
		s.drop(e)
		return fmt.Errorf("%w: %w", ErrDropped, ctx.Err())
	case <-s.closing:
		s.mu.RUnlock()
		s.drop(e)
		return ErrClosed
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
	return AsyncStats{
		Accepted: s.accepted.Load(),
		Written:  s.written.Load(),
		Failed:   s.failed.Load(),
		Dropped:  s.dropped.Load(),
		Queued:   len(s.q),
	}
}

// Flush waits until every event accepted before the call has been handed to
// the inner sink, then flushes the inner sink. It returns ctx.Err() if ctx
// ends first (the events stay queued) and [ErrClosed] after Close.
func (s *AsyncSink) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case s.flushReq <- reply:
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops accepting events, waits until every accepted event has been
// written to the inner sink, then closes the inner sink (or flushes it when
// it is not a [Closer]). If ctx ends first, Close returns an error saying
// how many events are still queued; the background writer keeps draining
// them. Later calls wait for the same drain and return the same result.
func (s *AsyncSink) Close(ctx context.Context) error {
	s.closeOnce.Do(func() {
		close(s.closing)
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.q)
	})
	select {
	case <-s.done:
	case <-ctx.Done():
		return fmt.Errorf("audit: async close: %d events still queued: %w", len(s.q), ctx.Err())
	}
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if !s.innerClosed {
		s.closeErr = Close(ctx, s.sink)
		s.innerClosed = true
	}
	return s.closeErr
}

// run is the background writer.
func (s *AsyncSink) run() {
	defer close(s.done)
	bg := context.Background()
	for {
		select {
		case e, ok := <-s.q:
			if !ok {
				return
			}
			s.write(bg, e)
		case reply := <-s.flushReq:
			// Everything accepted before the Flush call is in the queue
			// now (or already written).
			for n := len(s.q); n > 0; n-- {
				e, ok := <-s.q
				if !ok {
					break
				}
				s.write(bg, e)
			}
			reply <- Flush(bg, s.sink)
		}
	}
}

func (s *AsyncSink) write(ctx context.Context, e Event) {
	if err := s.sink.Write(ctx, e); err != nil {
		s.failed.Add(1)
		if s.onError != nil {
			s.onError(e, err)
		}
		return
	}
	s.written.Add(1)
}
