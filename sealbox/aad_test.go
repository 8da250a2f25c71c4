package sealbox

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAADEncoding(t *testing.T) {
	tests := []struct {
		name  string
		parts []string
		want  string // hex, written out from the documented encoding
	}{
		{"no parts", nil, ""},
		{"one empty part", []string{""}, "00000000"},
		{"two parts", []string{"ab", "c"}, "00000002" + "6162" + "00000001" + "63"},
		{"shifted split", []string{"a", "bc"}, "00000001" + "61" + "00000002" + "6263"},
		{"label and value", []string{"org", "42"}, "00000003" + "6f7267" + "00000002" + "3432"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, hex.EncodeToString(AAD(tt.parts...)))
		})
	}
}

// Distinct part lists give distinct encodings, including the classic
// concatenation ambiguities.
func TestAADIsUnambiguous(t *testing.T) {
	lists := [][]string{
		{}, {""}, {"", ""}, {"ab", "c"}, {"a", "bc"}, {"abc"}, {"abc", ""}, {"", "abc"},
		{"org", "A", "record", "1"}, {"org", "A", "record1"}, {"orgA", "record", "1"},
		{"\x00\x00\x00\x01a"}, {"a"}, {"org", "A\x00\x00\x00\x06record"},
	}
	seen := map[string][]string{}
	for _, l := range lists {
		enc := string(AAD(l...))
		if prev, dup := seen[enc]; dup {
			t.Errorf("AAD(%q) == AAD(%q)", l, prev)
		}
		seen[enc] = l
	}
}
