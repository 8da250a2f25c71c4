package sealbox

import (
	"fmt"
	"log/slog"
)

// redacted is what every type holding key material or plaintext prints.
const redacted = "[REDACTED]"

// formatRedacted writes [REDACTED] for any fmt verb (%v, %+v, %#v, %s, %q,
// %x, ...), so no verb can reveal the underlying bytes.
func formatRedacted(f fmt.State) {
	f.Write([]byte(redacted)) //nolint:errcheck // fmt.State writes cannot be reported
}

func redactedLogValue() slog.Value { return slog.StringValue(redacted) }

func redactedJSON() []byte { return []byte(`"` + redacted + `"`) }
