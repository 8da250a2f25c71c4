package totp

// Backup codes are 16 characters of Crockford's base32 alphabet, 80 bits from
// crypto/rand, shown in four groups of four: "7KQ2-M9XD-4T0V-PB8E". The
// alphabet has no I, L, O or U, so nothing is ambiguous when read aloud or
// copied from paper, and reading is forgiving: lower case is accepted, O is
// read as 0, I and L as 1, and spaces and dashes are ignored.

const (
	crockford        = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	backupCodeChars  = 16 // 80 bits
	backupCodeBytes  = 10
	backupGroupChars = 4
	// maxBackupInput bounds how much user input the parser looks at.
	maxBackupInput = 64
)

// encodeBackupCode formats 10 random bytes as a grouped backup code.
func encodeBackupCode(b *[backupCodeBytes]byte) string {
	var out [backupCodeChars + backupCodeChars/backupGroupChars - 1]byte
	// 80 bits = 16 groups of 5 bits, most significant first.
	var acc uint64
	bits := 0
	n, o := 0, 0
	for _, c := range b {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			if n > 0 && n%backupGroupChars == 0 {
				out[o] = '-'
				o++
			}
			out[o] = crockford[(acc>>bits)&31]
			o++
			n++
		}
	}
	return string(out[:o])
}

// normalizeBackupCode writes the canonical 16-character form of s into dst:
// upper case, O read as 0, I and L as 1, spaces and dashes skipped. It
// reports false for any other character (including U) or a wrong length. It
// never panics and does not allocate.
func normalizeBackupCode(s string, dst *[backupCodeChars]byte) bool {
	if len(s) > maxBackupInput {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '-' {
			continue
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		switch c {
		case 'O':
			c = '0'
		case 'I', 'L':
			c = '1'
		}
		if !isCrockford(c) || n == backupCodeChars {
			return false
		}
		dst[n] = c
		n++
	}
	return n == backupCodeChars
}

func isCrockford(c byte) bool {
	switch {
	case '0' <= c && c <= '9':
		return true
	case 'A' <= c && c <= 'Z':
		return c != 'I' && c != 'L' && c != 'O' && c != 'U'
	}
	return false
}
