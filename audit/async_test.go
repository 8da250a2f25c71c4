package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gateSink blocks every Write until release is closed, announcing each
// entry on entered.
type gateSink struct {
	entered chan struct{}
	release chan struct{}
	mem     *MemorySink
}

func newGateSink() *gateSink {
	return &gateSink{entered: make(chan struct{}, 1000), release: make(chan struct{}), mem: NewMemorySink(1000)}
}

func (g *gateSink) Write(ctx context.Context, e Event) error {
	g.entered <- struct{}{}
	<-g.release
	return g.mem.Write(ctx, e)
}

func ev(id string) Event { return Event{Action: ActionLoginFailed, Target: Target{ID: id}} }

// fullAsync returns an AsyncSink with cfg and QueueSize 1 over a new
// gateSink, with its background writer held inside the gate writing event
// "0" and event "1" filling the queue, so the next Write finds no room.
func fullAsync(t *testing.T, cfg AsyncConfig) (*AsyncSink, *gateSink) {
	t.Helper()
	g := newGateSink()
	cfg.Sink, cfg.QueueSize = g, 1
	s, err := NewAsync(cfg)
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), ev("0")))
	<-g.entered
	require.NoError(t, s.Write(context.Background(), ev("1"))) // fills the queue
	return s, g
}

func ids(events []Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Target.ID
	}
	return out
}

func TestAsyncNoLossWithEightWritersAndClose(t *testing.T) {
	mem := NewMemorySink(100000)
	s, err := NewAsync(AsyncConfig{Sink: mem, QueueSize: 16})
	require.NoError(t, err)

	const writers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted = map[string]bool{}
		started  = make(chan struct{}, writers*200)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("w%d-%d", w, i)
				err := s.Write(context.Background(), ev(id))
				if err != nil {
					assert.ErrorIs(t, err, ErrClosed)
					return
				}
				mu.Lock()
				accepted[id] = true
				mu.Unlock()
				if i < 200 {
					started <- struct{}{}
				}
			}
		}()
	}
	// Close while all writers are busy: after 800 accepted events.
	for range writers * 100 {
		<-started
	}
	require.NoError(t, s.Close(context.Background()))
	wg.Wait()

	got := map[string]bool{}
	for _, id := range ids(mem.Events()) {
		require.False(t, got[id], "event %s written twice", id)
		got[id] = true
	}
	require.Equal(t, len(accepted), len(got))
	for id := range accepted {
		require.True(t, got[id], "accepted event %s was lost", id)
	}
	st := s.Stats()
	require.Equal(t, uint64(len(accepted)), st.Accepted)
	require.Equal(t, st.Accepted, st.Written)
	require.Equal(t, uint64(writers), st.Dropped, "each writer's final, refused write is counted")
}

func TestAsyncDropModeCountsAndReportsEveryDrop(t *testing.T) {
	g := newGateSink()
	var reported []uint64
	var reportedIDs []string
	s, err := NewAsync(AsyncConfig{Sink: g, QueueSize: 4, DropWhenFull: true,
		OnDrop: func(e Event, total uint64) {
			reported = append(reported, total)
			reportedIDs = append(reportedIDs, e.Target.ID)
		}})
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, s.Write(ctx, ev("0")))
	<-g.entered // the writer holds event 0; the queue is empty
	for i := 1; i <= 4; i++ {
		require.NoError(t, s.Write(ctx, ev(fmt.Sprint(i))))
	}
	for i := 5; i <= 7; i++ {
		require.ErrorIs(t, s.Write(ctx, ev(fmt.Sprint(i))), ErrDropped)
	}
	require.Equal(t, []uint64{1, 2, 3}, reported)
	require.Equal(t, []string{"5", "6", "7"}, reportedIDs)
	require.Equal(t, AsyncStats{Accepted: 5, Dropped: 3, Queued: 5}, s.Stats())

	close(g.release)
	require.NoError(t, s.Close(ctx))
	require.Equal(t, []string{"0", "1", "2", "3", "4"}, ids(g.mem.Events()))
	require.Equal(t, AsyncStats{Accepted: 5, Written: 5, Dropped: 3}, s.Stats())
}

func TestAsyncBlockModeHonoursContext(t *testing.T) {
	drops := 0
	s, g := fullAsync(t, AsyncConfig{OnDrop: func(Event, uint64) { drops++ }})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Write(ctx, ev("2"))
	require.ErrorIs(t, err, ErrDropped)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, drops)

	close(g.release)
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, []string{"0", "1"}, ids(g.mem.Events()))
}

func TestAsyncCloseWakesBlockedWriters(t *testing.T) {
	s, g := fullAsync(t, AsyncConfig{})

	blocked := make(chan error)
	go func() { blocked <- s.Write(context.Background(), ev("2")) }()
	closed := make(chan error)
	go func() { closed <- s.Close(context.Background()) }()
	require.ErrorIs(t, <-blocked, ErrClosed)
	close(g.release)
	require.NoError(t, <-closed)
	require.Equal(t, []string{"0", "1"}, ids(g.mem.Events()))
	require.ErrorIs(t, s.Write(context.Background(), ev("3")), ErrClosed)
	require.Equal(t, uint64(2), s.Stats().Dropped)
}

func TestAsyncCloseReportsQueuedEventsWhenContextEnds(t *testing.T) {
	g := newGateSink()
	s, err := NewAsync(AsyncConfig{Sink: g, QueueSize: 4})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), ev("0")))
	<-g.entered
	require.NoError(t, s.Write(context.Background(), ev("1")))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = s.Close(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "2 events still queued")

	close(g.release) // the background writer keeps draining
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, []string{"0", "1"}, ids(g.mem.Events()))
}

func TestAsyncFlushWaitsForEarlierEvents(t *testing.T) {
	mem := NewMemorySink(100)
	s, err := NewAsync(AsyncConfig{Sink: mem})
	require.NoError(t, err)
	for i := range 50 {
		require.NoError(t, s.Write(context.Background(), ev(fmt.Sprint(i))))
	}
	require.NoError(t, s.Flush(context.Background()))
	require.Equal(t, 50, mem.Len())
	require.NoError(t, s.Close(context.Background()))
	require.ErrorIs(t, s.Flush(context.Background()), ErrClosed)
}

func TestAsyncCountsAndReportsInnerFailures(t *testing.T) {
	boom := errors.New("disk full")
	var failed []string
	s, err := NewAsync(AsyncConfig{
		Sink: SinkFunc(func(_ context.Context, e Event) error {
			if e.Target.ID == "bad" {
				return boom
			}
			return nil
		}),
		OnError: func(e Event, err error) {
			assert.ErrorIs(t, err, boom)
			failed = append(failed, e.Target.ID)
		},
	})
	require.NoError(t, err)
	for _, id := range []string{"ok", "bad", "ok"} {
		require.NoError(t, s.Write(context.Background(), ev(id)))
	}
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, []string{"bad"}, failed)
	require.Equal(t, AsyncStats{Accepted: 3, Written: 2, Failed: 1}, s.Stats())
}

// A sink that panics on one event must not crash the process (losing every
// queued event with it): the event counts as failed and the rest are
// written.
func TestAsyncSurvivesAPanickingSink(t *testing.T) {
	mem := NewMemorySink(10)
	var errs []error
	s, err := NewAsync(AsyncConfig{
		Sink: SinkFunc(func(ctx context.Context, e Event) error {
			if e.Target.ID == "boom" {
				panic("sink bug")
			}
			return mem.Write(ctx, e)
		}),
		OnError: func(_ Event, err error) { errs = append(errs, err) },
	})
	require.NoError(t, err)
	for _, id := range []string{"a", "boom", "b"} {
		require.NoError(t, s.Write(context.Background(), ev(id)))
	}
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, []string{"a", "b"}, ids(mem.Events()))
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrSinkPanicked)
	require.ErrorContains(t, errs[0], "sink bug")
	require.Equal(t, AsyncStats{Accepted: 3, Written: 2, Failed: 1}, s.Stats())
}

// The zero AsyncSink has no background writer; a write must fail at once
// instead of waiting forever for room in a queue of size zero.
func TestZeroAsyncSinkRefusesWrites(t *testing.T) {
	done := make(chan error, 1)
	go func() { done <- new(AsyncSink).Write(context.Background(), ev("x")) }()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Write on the zero AsyncSink blocked")
	}
}

func TestNewAsyncRejectsBadConfig(t *testing.T) {
	_, err := NewAsync(AsyncConfig{})
	require.ErrorContains(t, err, "Sink")
	_, err = NewAsync(AsyncConfig{Sink: NewMemorySink(1), QueueSize: -1})
	require.ErrorContains(t, err, "QueueSize")
}

func TestAsyncCopiesMetadata(t *testing.T) {
	g := newGateSink()
	s, err := NewAsync(AsyncConfig{Sink: g})
	require.NoError(t, err)
	md := map[string]string{"k": "before"}
	e := ev("x")
	e.Metadata = md
	require.NoError(t, s.Write(context.Background(), e))
	md["k"] = "after" // the caller reuses its map while the event is queued
	close(g.release)
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, "before", g.mem.Events()[0].Metadata["k"])
}

func TestAsyncBlockedWriterProceedsWhenRoomFreesUp(t *testing.T) {
	s, g := fullAsync(t, AsyncConfig{})

	blocked := make(chan error)
	go func() { blocked <- s.Write(context.Background(), ev("2")) }()
	close(g.release) // the writer takes "1", making room for "2"
	require.NoError(t, <-blocked)
	require.NoError(t, s.Close(context.Background()))
	require.Equal(t, []string{"0", "1", "2"}, ids(g.mem.Events()))
	require.Zero(t, s.Stats().Dropped)
}

func TestAsyncFlushHonoursContext(t *testing.T) {
	g := newGateSink()
	s, err := NewAsync(AsyncConfig{Sink: g})
	require.NoError(t, err)
	require.NoError(t, s.Write(context.Background(), ev("0")))
	<-g.entered
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, s.Flush(ctx), context.Canceled)
	close(g.release)
	require.NoError(t, s.Flush(context.Background()))
	require.Equal(t, 1, g.mem.Len())
	require.NoError(t, s.Close(context.Background()))
}

func TestAsyncDropModeUnderConcurrencyAccountsForEveryEvent(t *testing.T) {
	mem := NewMemorySink(100000)
	var reported sync.Map
	s, err := NewAsync(AsyncConfig{Sink: mem, QueueSize: 4, DropWhenFull: true,
		OnDrop: func(e Event, _ uint64) { reported.Store(e.Target.ID, true) }})
	require.NoError(t, err)
	const writers, each = 8, 2000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				if err := s.Write(context.Background(), ev(id)); err != nil {
					assert.ErrorIs(t, err, ErrDropped)
					_, ok := reported.Load(id)
					assert.True(t, ok, "drop of %s not reported", id)
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, s.Close(context.Background()))
	st := s.Stats()
	require.Equal(t, uint64(writers*each), st.Accepted+st.Dropped)
	require.Equal(t, st.Accepted, st.Written)
	require.Equal(t, int(st.Accepted), mem.Len())
}
