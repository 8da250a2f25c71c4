package audit

import (
	"context"
	"errors"
)

// Sink receives audit events. Write must be safe for concurrent use and
// must not retain the Event's Metadata map after it returns (copy it if the
// event is stored). A non-nil error means the event may not have been
// recorded; callers decide whether to fail the request.
//
// Sinks write what they are given: redaction and defaults are applied by
// [Logger], which is the recommended way to send events to a sink.
type Sink interface {
	Write(ctx context.Context, e Event) error
}

// Flusher is implemented by sinks that buffer: Flush returns once every
// event accepted before the call has reached the underlying writer (or ctx
// is done).
type Flusher interface {
	Flush(ctx context.Context) error
}

// Closer is implemented by sinks holding resources such as a background
// goroutine. Close flushes, releases them and makes later writes fail
// with [ErrClosed]. It does not close an io.Writer the sink was given.
type Closer interface {
	Close(ctx context.Context) error
}

// SinkFunc adapts a function to a [Sink].
type SinkFunc func(ctx context.Context, e Event) error

// Write calls f(ctx, e).
func (f SinkFunc) Write(ctx context.Context, e Event) error { return f(ctx, e) }

var (
	// ErrClosed is returned by writes to a closed sink.
	ErrClosed = errors.New("audit: sink closed")
	// ErrNoAction is returned by [Logger.Log] for an event without Action.
	ErrNoAction = errors.New("audit: event has no action")
	// ErrBadTime is returned by [Logger.Log] for an event whose time lies
	// outside the years 0 to 9999, which RFC 3339 cannot express.
	ErrBadTime = errors.New("audit: event time out of RFC 3339 range")
)

// Flush flushes s if it implements [Flusher]; otherwise it returns nil.
func Flush(ctx context.Context, s Sink) error {
	if f, ok := s.(Flusher); ok {
		return f.Flush(ctx)
	}
	return nil
}

// Close closes s if it implements [Closer], otherwise flushes it if it
// implements [Flusher].
func Close(ctx context.Context, s Sink) error {
	if c, ok := s.(Closer); ok {
		return c.Close(ctx)
	}
	return Flush(ctx, s)
}
