// Package opaque holds secret values where fmt cannot reach them.
//
// fmt prints the unexported fields of a struct by reflection, without
// calling their String or Format methods, so a secret type's redaction
// methods do not help when the secret is a field of another struct
// (`struct{ s totp.Secret }` printed with %+v shows the secret's fields).
// Putting the secret behind a pointer is not enough either: for verbs
// other than %v and %p (%s, %q, ...) fmt reports a bad verb by printing the
// pointer's target when it is a struct, slice, array or map. fmt prints a
// func value as a bare address whatever the verb and depth, and
// encoding/json and log/slog skip unexported fields, so a [Box] keeps its
// value inside a closure.
package opaque

import (
	"fmt"
	"io"
)

// Box holds a *T that fmt, log/slog and encoding/json cannot print. The
// zero Box holds nothing; Get returns nil for it. A Box is an immutable
// reference: copies share the value.
type Box[T any] struct {
	get func() *T
}

// New returns a Box holding v.
func New[T any](v T) Box[T] {
	p := &v
	return Box[T]{get: func() *T { return p }}
}

// Get returns the boxed value, or nil for the zero Box.
func (b Box[T]) Get() *T {
	if b.get == nil {
		return nil
	}
	return b.get()
}

// Format prints "[REDACTED]" for every verb, for the rare case that a Box
// itself is formatted.
func (Box[T]) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }
