// Package audit compares the audit JSON lines sink with the two standard
// library ways of writing the same event as JSON: log/slog's JSON handler
// and encoding/json.
package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/audit"
)

// event is the reference event: ten string fields and a time.
func event() audit.Event {
	return audit.Event{
		Time:      time.Date(2026, 3, 16, 9, 30, 5, 123456789, time.UTC),
		Action:    audit.ActionMemberRoleChanged,
		Outcome:   audit.Success,
		Severity:  audit.SeverityMedium,
		Actor:     audit.Actor{UserID: "usr_2f9c1a7e", IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
		OrgID:     "org_8d41b0",
		Target:    audit.Target{Type: "member", ID: "usr_77aa01"},
		RequestID: "01J9Z6K8W4M2Q7R5T3V1X0Y9ZA",
	}
}

// writer writes one event as one JSON line.
type writer func(ctx context.Context, e audit.Event) error

func bulwarkWriter(w io.Writer) writer {
	return audit.NewJSONSink(w).Write
}

// slogWriter logs the event as a slog record with the event's time, the
// way an application using slog directly would, through the JSON handler.
func slogWriter(w io.Writer) writer {
	h := slog.NewJSONHandler(w, nil)
	return func(ctx context.Context, e audit.Event) error {
		r := slog.NewRecord(e.Time, slog.LevelWarn, "audit", 0)
		r.AddAttrs(
			slog.String("action", e.Action),
			slog.String("outcome", string(e.Outcome)),
			slog.String("severity", string(e.Severity)),
			slog.Group("actor",
				slog.String("user_id", e.Actor.UserID),
				slog.String("ip", e.Actor.IP),
				slog.String("user_agent", e.Actor.UserAgent)),
			slog.String("org_id", e.OrgID),
			slog.Group("target",
				slog.String("type", e.Target.Type),
				slog.String("id", e.Target.ID)),
			slog.String("request_id", e.RequestID),
		)
		return h.Handle(ctx, r)
	}
}

// encjsonWriter encodes the Event struct (whose tags carry the same field
// names) with an encoding/json Encoder, which appends the newline.
func encjsonWriter(w io.Writer) writer {
	enc := json.NewEncoder(w)
	return func(_ context.Context, e audit.Event) error { return enc.Encode(&e) }
}

var impls = []struct {
	name string
	new  func(io.Writer) writer
}{
	{"bulwark", bulwarkWriter},
	{"slog", slogWriter},
	{"encjson", encjsonWriter},
}

func BenchmarkAuditJSON(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			write := impl.new(io.Discard)
			e := event()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if err := write(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decoded is what a consumer of the line sees: the JSON data, with slog's
// own level and msg keys removed and the time as an instant.
func decoded(t *testing.T, line []byte) (map[string]any, time.Time) {
	t.Helper()
	require.Equal(t, 1, bytes.Count(line, []byte("\n")), "exactly one line: %s", line)
	require.True(t, bytes.HasSuffix(line, []byte("\n")))
	var m map[string]any
	require.NoError(t, json.Unmarshal(line, &m))
	ts, err := time.Parse(time.RFC3339Nano, m["time"].(string))
	require.NoError(t, err)
	delete(m, "time")
	delete(m, "level")
	delete(m, "msg")
	return m, ts
}

func TestImplementationsWriteEquivalentJSON(t *testing.T) {
	e := event()
	want := map[string]any{
		"action":     e.Action,
		"outcome":    string(e.Outcome),
		"severity":   string(e.Severity),
		"actor":      map[string]any{"user_id": e.Actor.UserID, "ip": e.Actor.IP, "user_agent": e.Actor.UserAgent},
		"org_id":     e.OrgID,
		"target":     map[string]any{"type": e.Target.Type, "id": e.Target.ID},
		"request_id": e.RequestID,
	}
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, impl.new(&buf)(context.Background(), e))
			got, ts := decoded(t, buf.Bytes())
			require.Empty(t, cmp.Diff(want, got))
			require.True(t, ts.Equal(e.Time), "time %v, want %v", ts, e.Time)
		})
	}
}
