package sealbox

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask thresholds, in characters (runes).
const (
	maskBullets      = "••••"
	maskKeepSuffix   = 4
	maskKeepPrefix   = 4
	maskMinForSuffix = 12 // shorter values are fully masked
	maskMinForPrefix = 16 // shorter values show no prefix
)

// Mask returns a form of a credential that is safe to display, so a user can
// recognise which token is stored without seeing it:
//
//   - 16 characters or more: the first 4, "••••", the last 4
//     ("sk_live_abcd1234" becomes "sk_l••••1234");
//   - 12 to 15 characters: "••••" and the last 4;
//   - fewer than 12 characters, including empty: "••••" alone.
//
// The number of bullets is fixed, so the length is not revealed. Mask counts
// characters, not bytes, so it never cuts a multi-byte UTF-8 character in
// half; invalid UTF-8 and non-printable characters (control codes,
// bidirectional overrides) in the kept parts are shown as U+FFFD, so the
// result is always valid, printable UTF-8. At most half of a value is ever
// shown; use a shorter form of your own for values where even that is too
// much (passwords should never be displayed at all).
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	if n < maskMinForSuffix {
		return maskBullets
	}
	var b strings.Builder
	b.Grow(len(maskBullets) + 2*maskKeepPrefix*utf8.UTFMax)
	if n >= maskMinForPrefix {
		i := 0
		for _, r := range s {
			if i == maskKeepPrefix {
				break
			}
			b.WriteRune(displayRune(r))
			i++
		}
	}
	b.WriteString(maskBullets)
	// Find the byte offset of the last maskKeepSuffix runes.
	end := len(s)
	for range maskKeepSuffix {
		_, size := utf8.DecodeLastRuneInString(s[:end])
		end -= size
	}
	for _, r := range s[end:] {
		b.WriteRune(displayRune(r))
	}
	return b.String()
}

func displayRune(r rune) rune {
	if r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
		return utf8.RuneError
	}
	if unicode.Is(unicode.Bidi_Control, r) {
		return utf8.RuneError
	}
	return r
}
