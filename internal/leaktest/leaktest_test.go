package leaktest

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plain holds a secret in a plain field: every rendering shows it.
type plain struct{ Key []byte }

// redacting prints "[REDACTED]" through its methods but keeps the secret
// in a plain unexported field, which fmt reaches by reflection when the
// value is itself in an unexported field.
type redacting struct{ key string }

func (redacting) String() string                 { return "[REDACTED]" }
func (r redacting) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(r.String())) }
func (r redacting) LogValue() slog.Value         { return slog.StringValue(r.String()) }
func (r redacting) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// recorder collects Check's reports instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestFormsListEveryEncodingAndAlignedPrefixes(t *testing.T) {
	forms := Forms([]byte("secret-bytes-0123456789"))
	for _, want := range []string{
		"secret-bytes-0123456789", "secret-bytes-012", // raw, and its first 16 bytes
		"115 101 99 114 101 116 45 98 121 116 101 115",         // decimal, first 12 bytes
		"7365637265742d6279746573", "7365637265742D6279746573", // hex, first 12 bytes
		"ONSWG4TFOQWWE6LU",                 // base32, first 10 bytes
		"c2VjcmV0LWJ5dGVz",                 // base64, first 12 bytes
		"c2VjcmV0LWJ5dGVzLTAxMjM0NTY3ODk=", // base64, whole
	} {
		assert.Contains(t, forms, want)
	}
	for _, f := range Forms([]byte("short")) {
		assert.GreaterOrEqual(t, len(f), 8, "form %q is short enough to match by chance", f)
	}
}

func TestCheckFindsLeaksWhereTheyAre(t *testing.T) {
	forbidden := Forms([]byte("TOPSECRET-KEY-0123456789"))

	var r recorder
	Check(&r, "plain", Direct(plain{[]byte("TOPSECRET-KEY-0123456789")}), forbidden)
	require.NotEmpty(t, r.errs, "a plain field leaks directly")
	assert.True(t, strings.Contains(strings.Join(r.errs, "\n"), "json"), "json writes []byte as base64: %v", r.errs)

	r = recorder{}
	Check(&r, "redacting", Direct(redacting{"TOPSECRET-KEY-0123456789"}), forbidden)
	assert.Empty(t, r.errs, "methods redact every direct rendering")

	r = recorder{}
	Check(&r, "redacting", Nested(redacting{"TOPSECRET-KEY-0123456789"}), forbidden)
	assert.NotEmpty(t, r.errs, "fmt reaches the plain unexported field by reflection")
	assert.Len(t, All(redacting{}), len(Direct(redacting{}))+len(Nested(redacting{})))
}
