package sealbox

import (
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// Binary format, version 1 (see the package documentation for the byte-level
// description):
//
//	version(1) | keyID(4, big endian) | salt(32) | nonce(12) | ciphertext | tag(16)
const (
	formatVersion = 0x01

	versionSize = 1
	keyIDSize   = 4
	saltSize    = 32
	nonceSize   = 12
	tagSize     = 16

	keyIDOffset = versionSize
	saltOffset  = keyIDOffset + keyIDSize
	nonceOffset = saltOffset + saltSize

	// HeaderSize is the length of the authenticated header that precedes
	// the AES-GCM ciphertext: version, key ID, salt and nonce.
	HeaderSize = nonceOffset + nonceSize // 49

	// Overhead is the number of bytes a sealed message adds to its
	// plaintext in binary form: the 49-byte header and the 16-byte tag.
	Overhead = HeaderSize + tagSize // 65

	// MaxPlaintextSize is the largest plaintext the seal operations accept
	// (64 MiB). Stored credentials are tiny; the bound keeps a mistaken
	// call from allocating without limit and stays far below the AES-GCM
	// limit of about 64 GiB per key.
	MaxPlaintextSize = 64 << 20
)

// TextPrefix starts every text-form ciphertext. The digit is the version of
// the text encoding (unpadded URL-safe base64 of the binary form), not of the
// binary format, which carries its own version byte.
const TextPrefix = "sb1."

// textEncoding is strict so that every ciphertext has exactly one text form:
// no padding, no non-canonical trailing bits, no embedded newlines.
var textEncoding = base64.RawURLEncoding.Strict()

// header is a parsed view of a binary ciphertext. All slices alias the input.
type header struct {
	keyID  uint32
	salt   []byte
	nonce  []byte
	prefix []byte // the full 49-byte header, authenticated as additional data
	body   []byte // ciphertext || tag
}

// parseHeader splits a binary ciphertext. It returns false for anything that
// is too short or carries an unknown version; it never panics.
func parseHeader(ct []byte) (header, bool) {
	if len(ct) < Overhead || ct[0] != formatVersion {
		return header{}, false
	}
	return header{
		keyID:  binary.BigEndian.Uint32(ct[keyIDOffset:saltOffset]),
		salt:   ct[saltOffset:nonceOffset],
		nonce:  ct[nonceOffset:HeaderSize],
		prefix: ct[:HeaderSize],
		body:   ct[HeaderSize:],
	}, true
}

// EncodeText returns the text form of a binary ciphertext: [TextPrefix]
// followed by unpadded URL-safe base64. It does not validate ct.
func EncodeText(ct []byte) string {
	buf := make([]byte, 0, len(TextPrefix)+textEncoding.EncodedLen(len(ct)))
	buf = append(buf, TextPrefix...)
	return string(textEncoding.AppendEncode(buf, ct))
}

// DecodeText returns the binary form of a text-form ciphertext. It returns
// [ErrDecrypt] if the prefix is missing or the base64 is malformed or
// non-canonical. It does not authenticate anything; use [Keyring.OpenText]
// to decrypt.
func DecodeText(text string) ([]byte, error) {
	rest, ok := strings.CutPrefix(text, TextPrefix)
	// The decoder skips CR and LF even in strict mode; reject them so every
	// value has exactly one text form.
	if !ok || strings.ContainsAny(rest, "\r\n") {
		return nil, ErrDecrypt
	}
	ct, err := textEncoding.DecodeString(rest)
	if err != nil {
		return nil, ErrDecrypt
	}
	return ct, nil
}

// isText reports whether b looks like a text-form ciphertext. Binary
// ciphertexts start with the version byte 0x01, which is not a printable
// character, so the two forms cannot be confused.
func isText(b []byte) bool {
	return len(b) >= len(TextPrefix) && string(b[:len(TextPrefix)]) == TextPrefix
}
