package sealbox

import "encoding/binary"

// AAD builds additional data from labelled parts, for example
//
//	sealbox.AAD("org", orgID, "record", recordID, "field", "jira_token")
//
// Each part is encoded as its length (4 bytes, big endian) followed by its
// bytes, so the encoding is injective: ("ab", "c") and ("a", "bc") differ,
// and so do different numbers of parts. Pass parts in the same order when
// sealing and opening. Alternating labels and values is a convention that
// keeps the binding readable; AAD itself treats all parts alike.
//
// A ciphertext sealed with one AAD does not open with any other, which stops
// a stored value from being copied to another organisation's row or field.
// AAD is not secret and not stored in the ciphertext.
func AAD(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	return b
}
