package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ---- JSON lines ----

func TestJSONSinkWritesOneLinePerEvent(t *testing.T) {
	var buf bytes.Buffer
	s := NewJSONSink(&buf)
	for _, g := range goldenEvents {
		require.NoError(t, s.Write(context.Background(), g.event))
	}
	sc := bufio.NewScanner(&buf)
	i := 0
	for sc.Scan() {
		var got Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &got))
		requireSameEvent(t, goldenEvents[i].event, got)
		i++
	}
	require.Equal(t, len(goldenEvents), i)
}

type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) { return len(p) - 1, nil }

func TestJSONSinkReportsShortWrites(t *testing.T) {
	require.ErrorIs(t, NewJSONSink(shortWriter{}).Write(context.Background(), ev("x")), io.ErrShortWrite)
}

func TestJSONSinkFlushFlushesBufferedWriter(t *testing.T) {
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	s := NewJSONSink(bw)
	require.NoError(t, s.Write(context.Background(), ev("x")))
	require.Zero(t, buf.Len())
	require.NoError(t, Flush(context.Background(), s))
	require.Positive(t, buf.Len())
}

// ---- memory ----

func TestMemorySinkEvictsOldestAndCopiesMetadata(t *testing.T) {
	s := NewMemorySink(2)
	md := map[string]string{"k": "v"}
	for _, id := range []string{"a", "b", "c"} {
		e := ev(id)
		e.Metadata = md
		require.NoError(t, s.Write(context.Background(), e))
	}
	md["k"] = "changed"
	got := s.Events()
	require.Equal(t, []string{"b", "c"}, ids(got))
	require.Equal(t, "v", got[0].Metadata["k"])
	require.Equal(t, uint64(1), s.Evicted())
}

// ---- multi ----

func TestMultiWritesToAllAndJoinsErrors(t *testing.T) {
	a, c := NewMemorySink(10), NewMemorySink(10)
	boom := errors.New("boom")
	m := NewMulti(a, SinkFunc(func(context.Context, Event) error { return boom }), c)
	err := m.Write(context.Background(), ev("x"))
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "sink 1")
	require.Equal(t, 1, a.Len())
	require.Equal(t, 1, c.Len(), "a failing sink must not stop the next one")
	require.NoError(t, m.Close(context.Background()))
}

// ---- slog ----

func TestSlogSinkUsesEventTimeSeverityLevelAndFieldNames(t *testing.T) {
	var buf bytes.Buffer
	// Level Error: a Warn-level audit event must still be written.
	l := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelError}))
	e := goldenEvents[1].event // "full"
	require.NoError(t, NewSlogSink(l).Write(context.Background(), e))

	var got map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.Equal(t, "WARN", got["level"])
	require.Equal(t, "audit", got["msg"])
	delete(got, "level")
	delete(got, "msg")

	var want map[string]any
	require.NoError(t, json.Unmarshal(AppendJSON(nil, e), &want))
	// Both carry the same instant, written differently.
	gt, err := time.Parse(time.RFC3339Nano, got["time"].(string))
	require.NoError(t, err)
	wt, err := time.Parse(time.RFC3339Nano, want["time"].(string))
	require.NoError(t, err)
	require.True(t, gt.Equal(wt))
	delete(got, "time")
	delete(want, "time")
	require.Equal(t, want, got)
}

func TestSlogLevels(t *testing.T) {
	tests := []struct {
		in   Severity
		want slog.Level
	}{
		{"", slog.LevelInfo}, {SeverityInfo, slog.LevelInfo}, {SeverityLow, slog.LevelInfo},
		{SeverityMedium, slog.LevelWarn}, {SeverityHigh, slog.LevelError}, {SeverityCritical, slog.LevelError},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, slogLevel(tt.in), "slogLevel(%q)", tt.in)
	}
}

func TestJSONSinkFlushOnAPipeSucceeds(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	go func() { _, _ = io.Copy(io.Discard, r) }()
	s := NewJSONSink(w)
	require.NoError(t, s.Write(context.Background(), ev("x")))
	require.NoError(t, s.Flush(context.Background()), "pipes cannot be synced; that is not an error")
}

// A fan-out to nothing would lose every event without a word.
func TestMultiRefusesToDropSilently(t *testing.T) {
	require.Panics(t, func() { NewMulti() })
	require.Error(t, (&MultiSink{}).Write(context.Background(), Event{Action: "a.b"}))
}
