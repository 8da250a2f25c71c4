package audit

import (
	"context"
	"log/slog"
	"maps"
	"slices"
)

// SlogSink writes events as log/slog records, so audit events can share an
// application's structured log pipeline. The record's time is the event
// time, its message is "audit", and the level follows the severity:
// info and low map to Info, medium to Warn, high and critical to Error.
//
// Attributes use the same names as the JSON encoding ("action", "outcome",
// "severity", groups "actor", "target" and "metadata", …), empty fields
// omitted.
//
// Audit events bypass level filtering: Write calls the handler's Handle
// directly even when the handler is not enabled for the level, because a
// log-level setting must not silently discard audit records.
//
// Create one with [NewSlogSink]. It is safe for concurrent use when the
// handler is (all standard handlers are).
type SlogSink struct {
	h slog.Handler
}

var _ Sink = (*SlogSink)(nil)

// NewSlogSink returns a sink writing to l's handler (slog.Default() when l
// is nil).
func NewSlogSink(l *slog.Logger) *SlogSink {
	if l == nil {
		l = slog.Default()
	}
	return &SlogSink{h: l.Handler()}
}

// Write hands e to the handler as one record.
func (s *SlogSink) Write(ctx context.Context, e Event) error {
	r := slog.NewRecord(e.Time.UTC(), slogLevel(e.Severity), "audit", 0)
	r.AddAttrs(slog.String("action", e.Action))
	if e.Outcome != "" {
		r.AddAttrs(slog.String("outcome", string(e.Outcome)))
	}
	if e.Severity != "" {
		r.AddAttrs(slog.String("severity", string(e.Severity)))
	}
	if e.Actor != (Actor{}) {
		r.AddAttrs(slog.Attr{Key: "actor", Value: slog.GroupValue(nonEmpty(
			slog.String("user_id", e.Actor.UserID),
			slog.String("ip", e.Actor.IP),
			slog.String("user_agent", e.Actor.UserAgent))...)})
	}
	if e.OrgID != "" {
		r.AddAttrs(slog.String("org_id", e.OrgID))
	}
	if e.Target != (Target{}) {
		r.AddAttrs(slog.Attr{Key: "target", Value: slog.GroupValue(nonEmpty(
			slog.String("type", e.Target.Type),
			slog.String("id", e.Target.ID))...)})
	}
	if e.RequestID != "" {
		r.AddAttrs(slog.String("request_id", e.RequestID))
	}
	if e.Reason != "" {
		r.AddAttrs(slog.String("reason", e.Reason))
	}
	if len(e.Metadata) > 0 {
		attrs := make([]slog.Attr, 0, len(e.Metadata))
		for _, k := range slices.Sorted(maps.Keys(e.Metadata)) {
			attrs = append(attrs, slog.String(k, e.Metadata[k]))
		}
		r.AddAttrs(slog.Attr{Key: "metadata", Value: slog.GroupValue(attrs...)})
	}
	return s.h.Handle(ctx, r)
}

func nonEmpty(attrs ...slog.Attr) []slog.Attr {
	out := attrs[:0]
	for _, a := range attrs {
		if a.Value.String() != "" {
			out = append(out, a)
		}
	}
	return out
}

func slogLevel(s Severity) slog.Level {
	switch s {
	case SeverityMedium:
		return slog.LevelWarn
	case SeverityHigh, SeverityCritical:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
