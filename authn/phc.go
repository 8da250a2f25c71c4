package authn

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// hasherB64 is the PHC string format's base64: standard alphabet, no padding.
// Strict mode rejects non-canonical trailing bits, so one hash has exactly one
// encoding.
var hasherB64 = base64.RawStdEncoding.Strict()

// Limits applied when parsing a stored argon2id hash. A hash string is data
// from a database and may have been tampered with: without limits a single
// crafted row (m=4 TiB) could make Verify allocate without bound.
const (
	hasherMaxMemoryKiB = 1 << 20 // 1 GiB
	hasherMaxTime      = 64
	hasherMinSaltLen   = 8  // RFC 9106 section 3.1
	hasherMaxSaltLen   = 64 // far above any real implementation
	hasherMinKeyLen    = 16
	hasherMaxKeyLen    = 128
)

// hasherParams are the parameters and material of one argon2id hash.
type hasherParams struct {
	memory      uint32 // KiB
	time        uint32
	parallelism uint8
	salt        []byte
	key         []byte
}

// errHasherPHC is the single parse failure; callers wrap it into
// ErrHashFormat. Details would only help an attacker probing stored hashes.
var errHasherPHC = errors.New("malformed argon2id PHC string")

// hasherEncodePHC returns the PHC string form of p:
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>
//
// which is what the reference argon2 CLI, libsodium, and most libraries
// print and parse.
func hasherEncodePHC(p hasherParams) string {
	var b strings.Builder
	b.Grow(48 + hasherB64.EncodedLen(len(p.salt)) + hasherB64.EncodedLen(len(p.key)))
	b.WriteString("$argon2id$v=19$m=")
	b.WriteString(strconv.FormatUint(uint64(p.memory), 10))
	b.WriteString(",t=")
	b.WriteString(strconv.FormatUint(uint64(p.time), 10))
	b.WriteString(",p=")
	b.WriteString(strconv.FormatUint(uint64(p.parallelism), 10))
	b.WriteByte('$')
	b.WriteString(hasherB64.EncodeToString(p.salt))
	b.WriteByte('$')
	b.WriteString(hasherB64.EncodeToString(p.key))
	return b.String()
}

// hasherParsePHC parses an argon2id PHC string. It accepts only version 19
// (the current and only widely deployed one), the m,t,p parameter order every
// implementation emits, canonical decimal numbers, and canonical unpadded
// base64. Anything else is errHasherPHC.
func hasherParsePHC(s string) (hasherParams, error) {
	var p hasherParams
	rest, ok := strings.CutPrefix(s, "$argon2id$v=19$m=")
	if !ok {
		return p, errHasherPHC
	}
	m, rest, ok := hasherCutUint(rest, ",t=")
	if !ok {
		return p, errHasherPHC
	}
	t, rest, ok := hasherCutUint(rest, ",p=")
	if !ok {
		return p, errHasherPHC
	}
	par, rest, ok := hasherCutUint(rest, "$")
	if !ok {
		return p, errHasherPHC
	}
	saltB64, keyB64, ok := strings.Cut(rest, "$")
	if !ok || strings.Contains(keyB64, "$") {
		return p, errHasherPHC
	}
	if par < 1 || par > 255 || t < 1 || t > hasherMaxTime ||
		m < 8*par || m > hasherMaxMemoryKiB {
		return p, errHasherPHC
	}
	if len(saltB64) > hasherB64.EncodedLen(hasherMaxSaltLen) ||
		len(keyB64) > hasherB64.EncodedLen(hasherMaxKeyLen) ||
		!hasherIsB64(saltB64) || !hasherIsB64(keyB64) {
		return p, errHasherPHC
	}
	salt, err := hasherB64.DecodeString(saltB64)
	if err != nil || len(salt) < hasherMinSaltLen {
		return p, errHasherPHC
	}
	key, err := hasherB64.DecodeString(keyB64)
	if err != nil || len(key) < hasherMinKeyLen {
		return p, errHasherPHC
	}
	p.memory, p.time, p.parallelism = uint32(m), uint32(t), uint8(par)
	p.salt, p.key = salt, key
	return p, nil
}

// hasherIsB64 reports whether s uses only the standard base64 alphabet.
// encoding/base64 silently skips '\r' and '\n', even in strict mode, which
// would give one hash several spellings.
func hasherIsB64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// hasherCutUint reads a canonical decimal (no sign, no leading zero, at most
// 10 digits) up to sep and returns it with the text after sep.
func hasherCutUint(s, sep string) (uint64, string, bool) {
	num, rest, ok := strings.Cut(s, sep)
	if !ok || num == "" || len(num) > 10 || (len(num) > 1 && num[0] == '0') {
		return 0, "", false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, "", false
		}
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil {
		return 0, "", false
	}
	return v, rest, true
}

// hasherDerive runs argon2id with the parameters in p (salt included) and a
// key length of n bytes.
func hasherDerive(password []byte, p hasherParams, n int) []byte {
	return argon2.IDKey(password, p.salt, p.time, p.memory, p.parallelism, uint32(n))
}
