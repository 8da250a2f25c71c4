package sealbox

import (
	"encoding"
	"encoding/json"
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

// Every type that holds key material or plaintext redacts itself in each of
// these interfaces.
var (
	_ fmt.Stringer           = Secret{}
	_ fmt.GoStringer         = Secret{}
	_ fmt.Formatter          = Secret{}
	_ slog.LogValuer         = Secret{}
	_ json.Marshaler         = Secret{}
	_ encoding.TextMarshaler = Secret{}

	_ fmt.Stringer           = (*Key)(nil)
	_ fmt.GoStringer         = (*Key)(nil)
	_ fmt.Formatter          = (*Key)(nil)
	_ slog.LogValuer         = (*Key)(nil)
	_ json.Marshaler         = (*Key)(nil)
	_ encoding.TextMarshaler = (*Key)(nil)

	_ fmt.Stringer           = (*Keyring)(nil)
	_ fmt.GoStringer         = (*Keyring)(nil)
	_ fmt.Formatter          = (*Keyring)(nil)
	_ slog.LogValuer         = (*Keyring)(nil)
	_ json.Marshaler         = (*Keyring)(nil)
	_ encoding.TextMarshaler = (*Keyring)(nil)
)
