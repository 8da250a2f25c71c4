// Package sealbox encrypts stored credentials (third-party API tokens,
// webhook secrets) at rest with per-message keys derived by HKDF-SHA256 from
// one application secret, AES-256-GCM, and key rotation.
//
// For most uses, load the application secret once with [FromEnv], build a
// [Keyring] with [New], and call [Keyring.SealText] / [Keyring.OpenText] for
// text columns (or [Keyring.Seal] / [Keyring.Open] for binary ones), binding
// every value to its owner with [AAD]:
//
//	key, err := sealbox.FromEnv("APP_SECRET")
//	...
//	ring, err := sealbox.New(sealbox.Config{Primary: key})
//	...
//	aad := sealbox.AAD("org", orgID, "integration", "jira", "field", "api_token")
//	stored, err := ring.SealText(sealbox.NewSecret(token), aad)
//	...
//	token, err := ring.OpenText(stored, aad) // a sealbox.Secret
//
// # What it defends against
//
//   - A leaked database dump or backup: values are unreadable without the
//     application secret, which lives outside the database.
//   - Moving or swapping ciphertexts between rows, organisations or fields:
//     the additional data built by [AAD] is authenticated, so a value opens
//     only for the owner it was sealed for.
//   - Any modification, truncation or extension of a stored value: AES-GCM
//     authentication fails and [Keyring.Open] returns [ErrDecrypt], the same
//     error for every cause, so there is no decryption oracle.
//   - Key wear-out: every message gets its own AES-256 key from a fresh
//     32-byte random salt, so there is no practical limit on the number of
//     messages per master secret and random 96-bit nonces never repeat under
//     one AES key.
//   - Accidental disclosure in logs: [Key], [Keyring] and [Secret] print
//     [REDACTED] under fmt (every verb), log/slog, encoding/json and
//     encoding.TextMarshaler.
//
// # What it does not defend against
//
//   - An attacker who can run code in, or read the memory or environment of,
//     the application process: the application can decrypt, so can they.
//   - A weak application secret: sealbox requires 32 bytes and expects them
//     to be random ([GenerateSecret]); it does not stretch passwords.
//   - Rollback: an attacker with write access to the database can put back
//     an older ciphertext sealed for the same AAD. Include a version or
//     counter in the AAD if that matters.
//   - Length: the ciphertext length reveals the plaintext length.
//
// # Keys and rotation
//
// A [Key] comes from a master secret of at least 32 bytes ([FromBytes],
// [ParseKey], [FromEnv]; new secrets from [GenerateSecret]). Each key has a
// public 32-bit ID derived from its secret. A [Keyring] seals with its
// primary key and opens with any of its keys, found by the ID in the
// ciphertext. To rotate: generate a new secret, make it the primary and move
// the old key to [Config.Previous]; new values use the new key at once, old
// values still open. Then walk the stored values with [Keyring.RewrapAll]
// (or [Keyring.NeedsRotation] and [Keyring.Rotate] one by one) and remove the
// old key only after a pass reports nothing left under it.
//
// # Binary format
//
// A sealed value in binary form (version 1) is, byte by byte:
//
//	offset  length  field
//	0       1       version, 0x01
//	1       4       key ID, unsigned 32-bit big endian
//	5       32      salt, random
//	37      12      nonce, random
//	49      n       AES-256-GCM ciphertext of the n-byte plaintext
//	49+n    16      AES-256-GCM tag
//
// The 49 bytes before the ciphertext are the header ([HeaderSize]); a value
// is always n + 65 bytes ([Overhead]). Given the 32-byte (or longer) master
// secret S, the 32-byte salt and the caller's additional data A, a reader:
//
//  1. computes PRK = HKDF-Extract(salt = "bulwark sealbox v1 extract",
//     IKM = S) with HMAC-SHA256 (RFC 5869), once per key;
//  2. checks the key ID: the first 4 bytes of
//     HKDF-Expand(PRK, info = "bulwark sealbox v1 key id", L = 4), read as a
//     big-endian integer, must equal bytes 1-4;
//  3. derives the message key K = HKDF-Expand(PRK, info = "bulwark sealbox v1"
//     || salt, L = 32), that is HMAC-SHA256(PRK, "bulwark sealbox v1" || salt
//     || 0x01): the 18 ASCII bytes of the label, the 32 salt bytes, then the
//     counter byte;
//  4. opens AES-256-GCM with key K, the 12-byte nonce, and additional data
//     equal to the whole 49-byte header followed by A. The header has a
//     fixed length, so this concatenation is unambiguous; A may be empty.
//
// Labels are ASCII without terminator. Because the header is authenticated,
// changing the version, key ID, salt or nonce makes opening fail. A reader
// must reject values shorter than 65 bytes and versions other than 0x01.
//
// # Text form
//
// For text columns the binary form is written as [TextPrefix] ("sb1.")
// followed by the binary value in unpadded URL-safe base64 (RFC 4648
// section 5), with canonical trailing bits ([EncodeText], [DecodeText]). A
// 64-byte token becomes 176 characters.
//
// # Additional data
//
// [AAD] encodes a list of strings as, for each string, its length as 4 bytes
// big endian followed by its bytes. Use the same parts, in the same order,
// when sealing and opening.
//
// # Speed
//
// Per key, the HMAC-SHA256 states for the PRK are computed once and pooled,
// so deriving a message key costs two SHA-256 compressions. The remaining
// fixed cost is the AES key schedule and GHASH setup for each message's key,
// about a microsecond in total per small message; for large values sealbox
// runs at the speed of the standard library's AES-GCM.
package sealbox
