package authn

import (
	"fmt"
	"io"
	"log/slog"
)

const tokenRedacted = "[REDACTED]"

// String returns "[REDACTED]".
func (TokenValue) String() string { return tokenRedacted }

// GoString returns "[REDACTED]", for %#v.
func (TokenValue) GoString() string { return tokenRedacted }

// Format prints "[REDACTED]" for every verb, so %x or %q cannot bypass
// String.
func (TokenValue) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, tokenRedacted) }

// LogValue implements [slog.LogValuer].
func (TokenValue) LogValue() slog.Value { return slog.StringValue(tokenRedacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (TokenValue) MarshalJSON() ([]byte, error) { return []byte(`"` + tokenRedacted + `"`), nil }

// MarshalText returns "[REDACTED]", for encoders that use text marshalling
// (encoding/xml, some loggers).
func (TokenValue) MarshalText() ([]byte, error) { return []byte(tokenRedacted), nil }
