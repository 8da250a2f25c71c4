// Package leaktest checks that values holding secrets never print them:
// it renders a value every way a program might log or encode it, lists
// the encodings in which a secret could appear, and reports each output
// that contains one. Every package with a secret-holding type tests it
// through this one list of renderings and forms.
package leaktest

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Verbs are the fmt verbs a careless log line might use.
var Verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"}

// Forms returns the encodings in which each secret could leak: the bytes
// as text, fmt's decimal byte list, hex in both cases, base32 without
// padding (as apps show TOTP secrets) and base64 in its four alphabets (as
// encoding/json writes []byte). To catch a truncated leak, each encoding
// of a long secret is also listed for a leading part of it (10 to 16
// bytes, cut where the encoding's groups end, so that it is a prefix of
// the whole secret's encoding). Forms shorter than 8 characters are left
// out, as they would match by chance.
func Forms(secrets ...[]byte) []string {
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding)
	encodings := []struct {
		prefix int // bytes in the leading part
		enc    func([]byte) string
	}{
		{16, func(b []byte) string { return string(b) }},
		{12, func(b []byte) string { return strings.Trim(fmt.Sprint(b), "[]") }},
		{12, hex.EncodeToString},
		{12, func(b []byte) string { return strings.ToUpper(hex.EncodeToString(b)) }},
		{10, b32.EncodeToString},
		{12, base64.StdEncoding.EncodeToString},
		{12, base64.RawStdEncoding.EncodeToString},
		{12, base64.URLEncoding.EncodeToString},
		{12, base64.RawURLEncoding.EncodeToString},
	}
	var out []string
	for _, s := range secrets {
		for _, e := range encodings {
			parts := [][]byte{s}
			if len(s) > e.prefix {
				parts = append(parts, s[:e.prefix])
			}
			for _, p := range parts {
				if f := e.enc(p); len(f) >= 8 {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

type exported struct{ V any }

type unexported struct{ v any }

// Direct renders v as a program would print it itself, keyed by how:
// every verb of Verbs, directly, in an exported struct field and
// behind a pointer to it; fmt.Sprint and Sprintln; slog's JSON and text
// handlers; encoding/json alone, in a map and in a struct field; and
// encoding/xml in a struct field. An encoder that refuses v contributes
// nothing.
func Direct(v any) map[string]string {
	outs := map[string]string{"Sprint": fmt.Sprint(v), "Sprintln": fmt.Sprintln(v)}
	for _, verb := range Verbs {
		outs[verb] = fmt.Sprintf(verb, v)
		outs[verb+" in exported field"] = fmt.Sprintf(verb, exported{v})
		outs[verb+" behind pointer in exported field"] = fmt.Sprintf(verb, &exported{v})
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("msg", "v", v, slog.Any("any", v))
	outs["slog JSON"] = buf.String()
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("msg", "v", v)
	outs["slog text"] = buf.String()
	if j, err := json.Marshal(v); err == nil {
		outs["json"] = string(j)
	}
	if j, err := json.Marshal(map[string]any{"v": v}); err == nil {
		outs["json in map"] = string(j)
	}
	if j, err := json.Marshal(exported{v}); err == nil {
		outs["json in field"] = string(j)
	}
	if x, err := xml.Marshal(exported{v}); err == nil {
		outs["xml in field"] = string(x)
	}
	return outs
}

// Nested renders v where fmt reaches it by reflection without calling its
// String or Format methods: in an unexported struct field, directly and
// behind a pointer, for every verb of Verbs, and through slog handlers
// given such a struct. A type that keeps its secret in a plain field leaks
// here even when Direct shows nothing.
func Nested(v any) map[string]string {
	outs := map[string]string{}
	for _, verb := range Verbs {
		outs[verb+" in unexported field"] = fmt.Sprintf(verb, unexported{v})
		outs[verb+" behind pointer in unexported field"] = fmt.Sprintf(verb, &unexported{v})
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("msg", "held", unexported{v})
	outs["slog JSON, held"] = buf.String()
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("msg", "held", unexported{v})
	outs["slog text, held"] = buf.String()
	return outs
}

// All is Direct and Nested together.
func All(v any) map[string]string {
	outs := Direct(v)
	for how, out := range Nested(v) {
		outs[how] = out
	}
	return outs
}

// Check reports, as a test error, each output of outs (as made by Direct,
// Nested or All for the value called name) that contains a forbidden
// string.
func Check(tb testing.TB, name string, outs map[string]string, forbidden []string) {
	tb.Helper()
	for how, out := range outs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				tb.Errorf("%s printed with %s = %q, which contains the secret form %q", name, how, out, f)
				break
			}
		}
	}
}
