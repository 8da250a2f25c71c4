package httptoken

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// tchars is RFC 9110's tchar rule written out in full.
const tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func TestValidAcceptsExactlyTheTchars(t *testing.T) {
	for c := 0; c < 256; c++ {
		want := strings.IndexByte(tchars, byte(c)) >= 0
		assert.Equal(t, want, Valid(string([]byte{byte(c)})), "byte %#x", c)
		assert.Equal(t, want, Valid("X-"+string([]byte{byte(c)})+"-Y"), "byte %#x inside a name", c)
	}
}

func TestValid(t *testing.T) {
	for _, s := range []string{"X-Request-Id", "Content-Type", "GET", "x_org.id", tchars} {
		assert.True(t, Valid(s), s)
	}
	for _, s := range []string{"", "X Request", "X-Org:", "Ünïcode", "a\r\nb", "a\x00", "(x)", "a/b", `"q"`} {
		assert.False(t, Valid(s), "%q", s)
	}
}
