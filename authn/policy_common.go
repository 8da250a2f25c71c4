package authn

import (
	"bytes"
	"compress/gzip"
	_ "embed" // for the common-password list
	"fmt"
	"io"
	"strings"
	"sync"
)

// policyCommonGz is the embedded common-password list: sorted, lowercased,
// newline-terminated entries, gzip-compressed (about 0.8 MB). See
// data/README.md for its source and licence.
//
//go:embed data/common-passwords.txt.gz
var policyCommonGz string

// policyCommonList decompresses the list once, on first use (about 2 MB in
// memory, a few milliseconds), and shares it across all Policies. The list
// is searched in place: no per-entry strings or map are ever built.
var policyCommonList = sync.OnceValues(func() (string, error) {
	zr, err := gzip.NewReader(strings.NewReader(policyCommonGz))
	if err != nil {
		return "", fmt.Errorf("authn: common-password list: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(2 << 20)
	if _, err := io.Copy(&buf, zr); err != nil {
		return "", fmt.Errorf("authn: common-password list: %w", err)
	}
	return buf.String(), nil
})

// policyInList reports whether key is a whole line of list, a bytewise
// sorted sequence of '\n'-terminated lines, by binary search over byte
// offsets.
func policyInList(list, key string) bool {
	lo, hi := 0, len(list) // both always at line starts
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		start := lo
		if i := strings.LastIndexByte(list[lo:mid], '\n'); i >= 0 {
			start = lo + i + 1
		}
		end := strings.IndexByte(list[start:hi], '\n')
		if end < 0 {
			return false // malformed: last line not terminated
		}
		end += start
		switch c := strings.Compare(key, list[start:end]); {
		case c == 0:
			return true
		case c < 0:
			hi = start
		default:
			lo = end + 1
		}
	}
	return false
}
