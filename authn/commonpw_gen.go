//go:build ignore

// commonpw_gen builds data/common-passwords.txt.gz from a newline-separated
// password list. Usage (see data/README.md for the source):
//
//	go run commonpw_gen.go < passwords.txt
//
// Each entry is normalised exactly as Policy normalises a candidate password
// (full-width fold, then strings.ToLower); entries that are not valid UTF-8,
// contain control characters, or are shorter than 8 or longer than 64
// characters after normalisation are dropped (Policy never accepts those
// lengths anyway); the rest are de-duplicated, sorted bytewise, and written
// one per line, gzip-compressed.
package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

func main() {
	seen := map[string]bool{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		s := strings.TrimSuffix(sc.Text(), "\r")
		if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
			continue
		}
		s = strings.ToLower(fold(s))
		if n := utf8.RuneCountInString(s); n < 8 || n > 64 || strings.TrimSpace(s) == "" {
			continue
		}
		seen[s] = true
	}
	if err := sc.Err(); err != nil {
		fail(err)
	}
	list := make([]string, 0, len(seen))
	for s := range seen {
		list = append(list, s)
	}
	slices.Sort(list)
	f, err := os.Create("data/common-passwords.txt.gz")
	if err != nil {
		fail(err)
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	zw.ModTime = zw.ModTime.UTC() // zero: reproducible output
	for _, s := range list {
		fmt.Fprintln(zw, s)
	}
	if err := zw.Close(); err != nil {
		fail(err)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stderr, "%d entries\n", len(list))
}

// fold mirrors hasherFoldWidth in hasher.go.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFF01 + '!'
		case r == 0x3000 || r == 0x00A0:
			return ' '
		}
		return r
	}, s)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
