package sealbox

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
)

// Config configures a [Keyring]. The zero Config is rejected by [New]: a
// keyring needs a primary key.
type Config struct {
	// Primary seals every new ciphertext (and opens the ones it sealed).
	// Required; there is no default key.
	Primary *Key

	// Previous lists retired keys that still open ciphertexts sealed before
	// a rotation. They never seal. Default: none.
	//
	// Danger: removing a key from this list makes every ciphertext it
	// sealed unreadable ([ErrUnknownKey]). Re-wrap stored values first with
	// [Keyring.RewrapAll] and remove the key only when a full pass reports
	// nothing left under it.
	Previous []*Key
}

// Keyring seals with one primary key and opens with any of its keys, chosen
// by the key ID in the ciphertext. Most callers want [Keyring.Seal] and
// [Keyring.Open], or [Keyring.SealText] and [Keyring.OpenText] for text
// columns.
//
// A Keyring is immutable after [New] and safe for concurrent use; create it
// once at start-up. Printing it shows [REDACTED]. A zero or nil Keyring
// holds no key: sealing returns an error and opening returns [ErrDecrypt].
type Keyring struct {
	primary *Key
	keys    []*Key // primary first; a short slice beats a map for 1-3 keys
}

// New validates cfg and returns a Keyring. It rejects a missing primary key,
// nil or zero keys, and two keys with the same key ID (the same secret listed
// twice, or a 1-in-2^32 ID collision between different secrets: generate a
// new secret in that case).
func New(cfg Config) (*Keyring, error) {
	if !cfg.Primary.valid() {
		return nil, errors.New("sealbox: Config.Primary is required (use FromEnv, ParseKey or FromBytes)")
	}
	keys := make([]*Key, 0, 1+len(cfg.Previous))
	keys = append(keys, cfg.Primary)
	for i, k := range cfg.Previous {
		if !k.valid() {
			return nil, fmt.Errorf("sealbox: Config.Previous[%d] is nil or zero; keys come from FromEnv, ParseKey or FromBytes", i)
		}
		for _, seen := range keys {
			if seen.id == k.id {
				return nil, fmt.Errorf("sealbox: Config.Previous[%d] has the same key ID (%08x) as another key: remove the duplicate", i, k.id)
			}
		}
		keys = append(keys, k)
	}
	return &Keyring{primary: cfg.Primary, keys: keys}, nil
}

func (k *Key) valid() bool { return k != nil && k.st != nil }

// PrimaryID returns the key ID of the primary key, or 0 for a Keyring not
// created by [New].
func (r *Keyring) PrimaryID() uint32 {
	if r == nil {
		return 0
	}
	return r.primary.ID()
}

func (r *Keyring) lookup(id uint32) *Key {
	if r == nil {
		return nil
	}
	for _, k := range r.keys {
		if k.id == id {
			return k
		}
	}
	return nil
}

// Seal encrypts plaintext under the primary key, bound to aad, and returns
// the binary form. Every call uses a fresh random salt (hence a fresh
// AES-256 key) and a fresh random nonce, so sealing the same plaintext twice
// gives unrelated ciphertexts. aad is not stored; [Keyring.Open] must be given
// the same aad. Build it with [AAD] from the owner of the value (organisation,
// record, field) so a ciphertext cannot be moved to another row.
//
// The result is len(plaintext)+[Overhead] bytes. Seal returns [ErrTooLarge]
// for plaintexts over [MaxPlaintextSize].
func (r *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	if r == nil || !r.primary.valid() {
		return nil, errZeroKeyring
	}
	if len(plaintext) > MaxPlaintextSize {
		return nil, ErrTooLarge
	}
	out := make([]byte, HeaderSize, len(plaintext)+Overhead)
	return r.sealInto(out, plaintext, aad)
}

// sealInto fills out[:HeaderSize] and appends ciphertext and tag in place.
// out must have len HeaderSize and capacity for the rest, and must not
// overlap plaintext.
func (r *Keyring) sealInto(out, plaintext, aad []byte) ([]byte, error) {
	k := r.primary
	out[0] = formatVersion
	binary.BigEndian.PutUint32(out[keyIDOffset:saltOffset], k.id)
	if _, err := rand.Read(out[saltOffset:HeaderSize]); err != nil {
		return nil, fmt.Errorf("sealbox: reading randomness: %w", err)
	}
	s := k.st.get()
	defer k.st.put(s)
	s.messageKey(out[saltOffset:nonceOffset])
	s.ad = appendAD(s.ad[:0], out[:HeaderSize], aad)
	sealed, err := aeadSeal(out, s.key[:], out[nonceOffset:HeaderSize], plaintext, s.ad)
	if err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	return sealed, nil
}

// appendAD builds the AES-GCM additional data: the fixed-length 49-byte
// header followed by the caller's aad. Because the header length is fixed,
// the split between header and aad is unambiguous.
func appendAD(dst, hdr, aad []byte) []byte {
	dst = append(dst, hdr...)
	return append(dst, aad...)
}

// Open authenticates and decrypts a binary ciphertext produced by
// [Keyring.Seal] with the same aad, using the key named by its key ID. It
// returns [ErrUnknownKey] if that key is not in the keyring and [ErrDecrypt]
// for every other failure (wrong aad, wrong key, any modification,
// truncation or unknown version). The returned slice is newly allocated and
// never aliases ciphertext. Open never panics, whatever the input.
func (r *Keyring) Open(ciphertext, aad []byte) ([]byte, error) {
	h, ok := parseHeader(ciphertext)
	if !ok {
		return nil, ErrDecrypt
	}
	k := r.lookup(h.keyID)
	if k == nil {
		return nil, ErrUnknownKey
	}
	s := k.st.get()
	defer k.st.put(s)
	s.messageKey(h.salt)
	s.ad = appendAD(s.ad[:0], h.prefix, aad)
	pt, err := aeadOpen(make([]byte, 0, len(h.body)-tagSize), s.key[:], h.nonce, h.body, s.ad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// SealText seals a credential and returns the text form ([TextPrefix]
// followed by unpadded URL-safe base64), for text columns and
// configuration files. See [Keyring.Seal] for aad.
func (r *Keyring) SealText(plaintext Secret, aad []byte) (string, error) {
	pt := []byte(plaintext.Reveal())
	defer clear(pt)
	ct, err := r.Seal(pt, aad)
	if err != nil {
		return "", err
	}
	return EncodeText(ct), nil
}

// OpenText decodes and opens a text-form ciphertext from
// [Keyring.SealText]. A malformed text form returns [ErrDecrypt], like any
// other failure; see [Keyring.Open].
func (r *Keyring) OpenText(text string, aad []byte) (Secret, error) {
	ct, err := DecodeText(text)
	if err != nil {
		return Secret{}, err
	}
	pt, err := r.Open(ct, aad)
	if err != nil {
		return Secret{}, err
	}
	s := NewSecret(string(pt))
	clear(pt)
	return s, nil
}

// String returns "[REDACTED]".
func (r *Keyring) String() string { return redacted }

// GoString returns "[REDACTED]".
func (r *Keyring) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (r *Keyring) Format(f fmt.State, _ rune) { formatRedacted(f) }

// LogValue implements slog.LogValuer and returns "[REDACTED]".
func (r *Keyring) LogValue() slog.Value { return redactedLogValue() }

// MarshalJSON returns the JSON string "[REDACTED]".
func (r *Keyring) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// MarshalText returns "[REDACTED]", for encoders other than JSON.
func (r *Keyring) MarshalText() ([]byte, error) { return []byte(redacted), nil }
