package sealbox

import (
	"errors"
	"fmt"
)

// ErrDecrypt is returned by every open operation that fails for any reason
// other than an unknown key ID: a wrong key, wrong additional data, a
// modified, truncated or extended ciphertext, an unknown format version or a
// malformed text encoding. The error deliberately does not say which check
// failed, so it cannot be used as an oracle.
var ErrDecrypt = errors.New("sealbox: decryption failed")

// ErrUnknownKey is returned when a well-formed ciphertext names a key ID
// that is not in the [Keyring]. Key IDs are public, so telling this case
// apart leaks nothing; it usually means a retired key was removed too early.
// errors.Is(ErrUnknownKey, ErrDecrypt) is true, so callers that only check
// [ErrDecrypt] treat it as any other failure.
var ErrUnknownKey = fmt.Errorf("%w: unknown key ID", ErrDecrypt)

// ErrShortSecret is returned when master key material is shorter than
// [MinSecretSize] bytes.
var ErrShortSecret = errors.New("sealbox: master secret shorter than 32 bytes")

// ErrInvalidKeyText is returned by [ParseKey] and [FromEnv] when the text is
// neither valid hexadecimal nor valid base64. The text itself is never
// included in the error.
var ErrInvalidKeyText = errors.New("sealbox: key text is not valid hex or base64")

// ErrTooLarge is returned by the seal operations when the plaintext exceeds
// [MaxPlaintextSize].
var ErrTooLarge = errors.New("sealbox: plaintext too large")

// errZeroKeyring is returned by the seal operations of a Keyring that was
// not created by [New], which has no key to seal with.
var errZeroKeyring = errors.New("sealbox: Keyring not created by sealbox.New")
