package sealbox

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"documented example", "sk_live_abcd1234", "sk_l••••1234"},
		{"long token keeps 4 and 4", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "ghp_••••wxyz"},
		{"15 characters show only the end", "abcdefghijk1234", "••••1234"},
		{"12 characters show only the end", "abcdefgh1234", "••••1234"},
		{"11 characters are fully masked", "abcdefg1234", "••••"},
		{"one character is fully masked", "x", "••••"},
		{"empty is masked too", "", "••••"},
		{"multi-byte characters are kept whole", "пароль_секрет_ключ_1234", "паро••••1234"},
		{"emoji at both ends", "🔑🔑🔑🔑-0123456789-🔒🔒🔒🔒", "🔑🔑🔑🔑••••🔒🔒🔒🔒"},
		{"short multi-byte value is fully masked", "秘密秘密秘密秘密", "••••"},
		{"invalid UTF-8 becomes U+FFFD", "\xff\xfe_live_abcdef\xff123", "\uFFFD\uFFFD_l••••\uFFFD123"},
		{"control characters are not echoed", "\x1b[31mlive_abcdef\x07\x00ab", "\uFFFD[31••••\uFFFD\uFFFDab"},
		{"bidi override is not echoed", "abcd_0123456789_x\u202e12", "abcd••••x\uFFFD12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Mask(tt.in)
			assert.Equal(t, tt.want, got, "Mask(%q)", tt.in)
			assert.True(t, utf8.ValidString(got), "valid UTF-8")
			assert.Equal(t, tt.want, NewSecret(tt.in).Mask(), "Secret.Mask")
		})
	}
}

// The number of bullets does not depend on the length of the value.
func TestMaskDoesNotRevealLength(t *testing.T) {
	for n := 16; n < 200; n += 7 {
		got := Mask(strings.Repeat("a", n))
		assert.Equal(t, "aaaa••••aaaa", got, "length %d", n)
	}
}
