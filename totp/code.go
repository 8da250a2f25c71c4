package totp

// maxCodeInput bounds how much user input the normaliser looks at. A code is
// at most 8 digits; generous room is left for separators.
const maxCodeInput = 32

// normalizeCode copies the ASCII digits of code into dst, skipping spaces and
// dashes (users type "123 456" or paste "123-456"). It reports false when code
// contains any other byte (including non-ASCII digits) or does not hold
// exactly digits digits. It never panics and does not allocate.
func normalizeCode(code string, digits int, dst *[8]byte) bool {
	if len(code) > maxCodeInput || digits < 1 || digits > len(dst) {
		return false
	}
	n := 0
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == ' ' || c == '-':
		case '0' <= c && c <= '9':
			if n == digits {
				return false
			}
			dst[n] = c
			n++
		default:
			return false
		}
	}
	return n == digits
}
