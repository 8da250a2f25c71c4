// Package httptoken recognises RFC 9110 tokens, the syntax of HTTP header
// field names and methods, for validating configuration.
package httptoken

// Valid reports whether s is a token (RFC 9110 section 5.6.2): one or more
// of the visible ASCII letters, digits and "!#$%&'*+-.^_`|~".
func Valid(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTchar(s[i]) {
			return false
		}
	}
	return true
}

func isTchar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
