package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
)

// aeadSeal appends the AES-256-GCM encryption of plaintext (ciphertext ||
// 16-byte tag) to dst. When dst has enough spare capacity the result is
// written in place, so sealing costs no allocation beyond the cipher setup.
// plaintext must not overlap dst's spare capacity. This is the only place
// that encrypts; the Wycheproof tests drive it directly.
func aeadSeal(dst, key, nonce, plaintext, ad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return aead.Seal(dst, nonce, plaintext, ad), nil
}

// aeadOpen appends the AES-256-GCM decryption of ciphertext (which ends in
// the 16-byte tag) to dst, or returns an error if authentication fails. This
// is the only place that decrypts; the Wycheproof tests drive it directly.
func aeadOpen(dst, key, nonce, ciphertext, ad []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return aead.Open(dst, nonce, ciphertext, ad)
}

// newAEAD builds AES-256-GCM with the standard 12-byte nonce and 16-byte tag.
// The key schedule and GHASH tables are rebuilt per message because every
// message has its own key; that setup is the fixed cost of sealbox.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, aes.KeySizeError(len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
