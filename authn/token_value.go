package authn

import (
	"fmt"
	"io"
	"log/slog"
)

// redacted is what every secret-holding type of the package prints.
const redacted = "[REDACTED]"

// String returns "[REDACTED]".
func (TokenValue) String() string { return redacted }

// GoString returns "[REDACTED]", for %#v.
func (TokenValue) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb, so %x or %q cannot bypass
// String.
func (TokenValue) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue implements [slog.LogValuer].
func (TokenValue) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (TokenValue) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for encoders that use text marshalling
// (encoding/xml, some loggers).
func (TokenValue) MarshalText() ([]byte, error) { return []byte(redacted), nil }
