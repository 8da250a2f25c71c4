package audit

import (
	"context"
	"errors"
	"time"
)

// Config configures a [Logger].
type Config struct {
	// Sink receives the events. Required. Combine several with [NewMulti];
	// put [NewAsync] in front of slow ones.
	Sink Sink

	// RedactKeys are further metadata keys to redact, matched after the
	// same normalization as [IsSensitiveKey] (case and '-', '_', '.'
	// ignored), on top of the built-in list, which cannot be turned off.
	// Default: none.
	RedactKeys []string

	// Now is the clock for events without a time. Default time.Now.
	Now func() time.Time
}

// Logger is the front door of the package: it completes each event and
// redacts it before any sink sees it.
//
// For each event, Log sets Time from the clock when zero (and converts it
// to UTC), Severity to info when empty, RequestID from the context
// ([RequestIDFromContext]) when empty, and replaces the values of sensitive
// metadata keys with [Redacted] (see [IsSensitiveKey]) in a copy of the
// map, leaving the caller's map untouched.
//
// Create one with [New]; the zero value is not usable. A Logger is safe
// for concurrent use when its sink is.
type Logger struct {
	sink   Sink
	redact redactor
	now    func() time.Time
}

// New validates cfg and returns a Logger.
func New(cfg Config) (*Logger, error) {
	if cfg.Sink == nil {
		return nil, errors.New("audit: Config.Sink is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Logger{sink: cfg.Sink, redact: newRedactor(cfg.RedactKeys), now: cfg.Now}, nil
}

// Log completes and redacts e, then writes it to the sink. It returns
// [ErrNoAction] for an event without Action, [ErrBadTime] for a time
// outside the years 0 to 9999, and otherwise the sink's error.
func (l *Logger) Log(ctx context.Context, e Event) error {
	if e.Action == "" {
		return ErrNoAction
	}
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	if y := e.Time.Year(); y < 0 || y > 9999 {
		return ErrBadTime
	}
	if e.Severity == "" {
		e.Severity = SeverityInfo
	}
	if e.RequestID == "" {
		e.RequestID, _ = RequestIDFromContext(ctx)
	}
	e.Metadata = l.redact.metadata(e.Metadata)
	return l.sink.Write(ctx, e)
}

// Sink returns the logger's sink, for Flush and Close at shutdown.
func (l *Logger) Sink() Sink { return l.sink }
