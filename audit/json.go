package audit

import (
	"slices"
	"time"
	"unicode/utf8"
)

// asciiEscape tells, for each ASCII byte, how a JSON string writes it: '-'
// means verbatim, 'u' means \u00XX, any other character c means the
// two-byte escape \c. It matches encoding/json with HTML escaping on: the
// control characters, '"', '\\', and also '<', '>' and '&', so that a log
// line pasted into an HTML page or a <script> block by a log viewer cannot
// open a tag. (The test suite regenerates this table and checks every byte
// against encoding/json.)
const asciiEscape = "" +
	"uuuuuuuubtnufruu" + // 0x00-0x0f
	"uuuuuuuuuuuuuuuu" + // 0x10-0x1f
	"--\"---u---------" + // 0x20-0x2f: '"', '&'
	"------------u-u-" + // 0x30-0x3f: '<', '>'
	"----------------" + // 0x40-0x4f
	"------------\\---" + // 0x50-0x5f: '\\'
	"----------------" + // 0x60-0x6f
	"----------------" // 0x70-0x7f

const hexDigits = "0123456789abcdef"

// AppendJSON appends the JSON encoding of e to dst, without a trailing
// newline, and returns the extended buffer. It allocates nothing beyond
// growing dst (and sorting more than 32 metadata keys).
//
// The encoding is canonical: fields in a fixed order with the names of the
// Event struct tags, empty optional fields omitted, metadata keys sorted
// bytewise, time in UTC as RFC 3339 with exactly nine fractional digits
// (so that lines sort by time as text). Strings are escaped exactly as
// encoding/json escapes them: invalid UTF-8 becomes U+FFFD, U+2028 and
// U+2029 are escaped, and so are '<', '>' and '&' (see asciiEscape).
//
// Times outside the years 0 to 9999 cannot be written as RFC 3339; they are
// clamped to that range (a [Logger] rejects them before this point).
func AppendJSON(dst []byte, e Event) []byte {
	dst = append(dst, `{"time":"`...)
	dst = appendTime(dst, e.Time)
	dst = append(dst, `","action":`...)
	dst = appendString(dst, e.Action)
	if e.Outcome != "" {
		dst = append(dst, `,"outcome":`...)
		dst = appendString(dst, string(e.Outcome))
	}
	if e.Severity != "" {
		dst = append(dst, `,"severity":`...)
		dst = appendString(dst, string(e.Severity))
	}
	if e.Actor != (Actor{}) {
		dst = append(dst, `,"actor":{`...)
		sep := false
		dst, sep = appendField(dst, sep, `"user_id":`, e.Actor.UserID)
		dst, sep = appendField(dst, sep, `"ip":`, e.Actor.IP)
		dst, _ = appendField(dst, sep, `"user_agent":`, e.Actor.UserAgent)
		dst = append(dst, '}')
	}
	if e.OrgID != "" {
		dst = append(dst, `,"org_id":`...)
		dst = appendString(dst, e.OrgID)
	}
	if e.Target != (Target{}) {
		dst = append(dst, `,"target":{`...)
		sep := false
		dst, sep = appendField(dst, sep, `"type":`, e.Target.Type)
		dst, _ = appendField(dst, sep, `"id":`, e.Target.ID)
		dst = append(dst, '}')
	}
	if e.RequestID != "" {
		dst = append(dst, `,"request_id":`...)
		dst = appendString(dst, e.RequestID)
	}
	if e.Reason != "" {
		dst = append(dst, `,"reason":`...)
		dst = appendString(dst, e.Reason)
	}
	if len(e.Metadata) > 0 {
		dst = append(dst, `,"metadata":{`...)
		dst = appendMetadata(dst, e.Metadata)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendField appends name and the string v when v is not empty, preceded
// by a comma when sep is set, and reports whether a field has been written.
func appendField(dst []byte, sep bool, name, v string) ([]byte, bool) {
	if v == "" {
		return dst, sep
	}
	if sep {
		dst = append(dst, ',')
	}
	dst = append(dst, name...)
	return appendString(dst, v), true
}

// appendMetadata appends the members of m (without braces), keys sorted
// bytewise as encoding/json sorts string map keys.
func appendMetadata(dst []byte, m map[string]string) []byte {
	var small [32]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		dst = appendString(dst, m[k])
	}
	return dst
}

// appendString appends s as a quoted JSON string.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			c := asciiEscape[b]
			if c == '-' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			if c == 'u' {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			} else {
				dst = append(dst, '\\', c)
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			// Valid in JSON but line terminators in JavaScript.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendTime appends t in UTC as YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	ns := t.Nanosecond()
	if year < 0 {
		year, month, day, hour, minute, sec, ns = 0, 1, 1, 0, 0, 0, 0
	} else if year > 9999 {
		year, month, day, hour, minute, sec, ns = 9999, 12, 31, 23, 59, 59, 999999999
	}
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, ns, 9)
	return append(dst, 'Z')
}

// appendDigits appends the non-negative v as exactly width decimal digits.
func appendDigits(dst []byte, v, width int) []byte {
	n := len(dst) + width
	dst = slices.Grow(dst, width)[:n]
	for i := n - 1; i >= n-width; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}
