package audit

import (
	"context"
	"errors"
	"fmt"
)

// MultiSink writes every event to several sinks, in order. A failing sink
// does not stop the others: Write returns all failures joined, each naming
// the sink's index. Create one with [NewMulti]. It is safe for concurrent
// use when its sinks are.
type MultiSink struct {
	sinks []Sink
}

var (
	_ Sink    = (*MultiSink)(nil)
	_ Flusher = (*MultiSink)(nil)
	_ Closer  = (*MultiSink)(nil)
)

// errNoSinks is returned by the zero MultiSink, which has nowhere to write.
var errNoSinks = errors.New("audit: MultiSink has no sinks (use NewMulti)")

// NewMulti returns a sink fanning out to sinks. Panics if there are no
// sinks (every event would vanish) or a sink is nil.
func NewMulti(sinks ...Sink) *MultiSink {
	if len(sinks) == 0 {
		panic("audit: NewMulti without sinks")
	}
	for i, s := range sinks {
		if s == nil {
			panic(fmt.Sprintf("audit: NewMulti: sink %d is nil", i))
		}
	}
	return &MultiSink{sinks: append([]Sink(nil), sinks...)}
}

// Write writes e to every sink and joins their errors. The zero MultiSink
// returns an error rather than dropping the event silently.
func (m *MultiSink) Write(ctx context.Context, e Event) error {
	if len(m.sinks) == 0 {
		return errNoSinks
	}
	return m.each(func(s Sink) error { return s.Write(ctx, e) })
}

// Flush flushes every sink that is a [Flusher].
func (m *MultiSink) Flush(ctx context.Context) error {
	return m.each(func(s Sink) error { return Flush(ctx, s) })
}

// Close closes every sink that is a [Closer] and flushes the others.
func (m *MultiSink) Close(ctx context.Context) error {
	return m.each(func(s Sink) error { return Close(ctx, s) })
}

func (m *MultiSink) each(f func(Sink) error) error {
	var errs []error
	for i, s := range m.sinks {
		if err := f(s); err != nil {
			errs = append(errs, fmt.Errorf("audit: sink %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}
