package audit

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall"
)

// maxRetainedBuf is the largest encoding buffer a sink keeps between
// writes; a bigger one (from an unusually large event) is released.
const maxRetainedBuf = 64 << 10

// JSONSink writes each event as one line of JSON ([AppendJSON] followed by
// '\n') to an io.Writer, in a single Write call per event so lines from
// concurrent writers never interleave.
//
// Create one with [NewJSONSink]; the zero value is not usable. It is safe
// for concurrent use; writes are serialized. It does no
// buffering of its own: wrap a file in a bufio.Writer for throughput and
// call [JSONSink.Flush] (which also calls Sync on writers that have it,
// such as *os.File) at shutdown.
type JSONSink struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
}

var (
	_ Sink    = (*JSONSink)(nil)
	_ Flusher = (*JSONSink)(nil)
)

// NewJSONSink returns a sink writing JSON lines to w. Panics if w is nil.
func NewJSONSink(w io.Writer) *JSONSink {
	if w == nil {
		panic("audit: NewJSONSink with nil writer")
	}
	return &JSONSink{w: w, buf: make([]byte, 0, 1024)}
}

// Write encodes e and writes it as one line. A short write is reported as
// io.ErrShortWrite.
func (s *JSONSink) Write(_ context.Context, e Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = AppendJSON(s.buf[:0], e)
	s.buf = append(s.buf, '\n')
	err := writeAll(s.w, s.buf)
	if cap(s.buf) > maxRetainedBuf {
		s.buf = make([]byte, 0, 1024)
	}
	return err
}

// Flush calls Flush and then Sync on the writer when it has those methods
// (bufio.Writer, *os.File).
func (s *JSONSink) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return flushWriter(s.w)
}

func writeAll(w io.Writer, p []byte) error {
	n, err := w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return err
}

func flushWriter(w io.Writer) error {
	if f, ok := w.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return err
		}
	}
	if f, ok := w.(interface{ Sync() error }); ok {
		// Pipes and terminals cannot be synced; that is not a failure.
		if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
			return err
		}
	}
	return nil
}
