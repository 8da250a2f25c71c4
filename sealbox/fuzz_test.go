package sealbox

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf8"
)

// fuzzRing is a fixed ring so the seed corpus is meaningful across runs.
func fuzzRing(t testing.TB) (*Keyring, *Keyring) {
	old, err := FromBytes(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := FromBytes(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	oldRing, err := New(Config{Primary: old})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := New(Config{Primary: cur, Previous: []*Key{old}})
	if err != nil {
		t.Fatal(err)
	}
	return ring, oldRing
}

// sealFixed seals like Keyring.Seal but with salt and nonce bytes all equal
// to fill, so fuzz worker processes see the same valid ciphertexts as the
// process that built the seed corpus.
func sealFixed(t testing.TB, k *Key, pt, aad []byte, fill byte) []byte {
	hdr := make([]byte, HeaderSize, HeaderSize+len(pt)+tagSize)
	hdr[0] = formatVersion
	binary.BigEndian.PutUint32(hdr[keyIDOffset:], k.id)
	for i := saltOffset; i < HeaderSize; i++ {
		hdr[i] = fill
	}
	s := k.st.get()
	defer k.st.put(s)
	s.messageKey(hdr[saltOffset:nonceOffset])
	ct, err := aeadSeal(hdr, s.key[:], hdr[nonceOffset:HeaderSize], pt, appendAD(nil, hdr, aad))
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// FuzzOpen feeds Open arbitrary bytes and arbitrary modifications of a
// valid ciphertext. It must never panic, and it must never return plaintext
// for anything other than the exact ciphertext that was sealed.
func FuzzOpen(f *testing.F) {
	ring, oldRing := fuzzRing(f)
	aad := AAD("org", "A")
	valid := sealFixed(f, ring.primary, []byte("sk_live_0123456789"), aad, 0x11)
	validOld := sealFixed(f, oldRing.primary, []byte("old"), aad, 0x22)
	f.Add([]byte{}, 0, byte(0), []byte{})
	f.Add(valid, -1, byte(0), aad)
	f.Add(validOld, -1, byte(0), aad)
	f.Add(valid, 0, byte(1), aad)
	f.Add(valid, HeaderSize, byte(0x80), aad)
	f.Add(valid[:Overhead], -1, byte(0), aad)
	f.Add(valid, -1, byte(0), []byte("org A"))

	f.Fuzz(func(t *testing.T, data []byte, flipAt int, mask byte, fuzzAAD []byte) {
		// Arbitrary input.
		if pt, err := ring.Open(data, fuzzAAD); err == nil {
			if !bytes.Equal(fuzzAAD, aad) || (!bytes.Equal(data, valid) && !bytes.Equal(data, validOld)) {
				t.Fatalf("Open accepted input it never sealed: %x -> %q", data, pt)
			}
		}
		// A valid ciphertext with one byte changed.
		if flipAt >= 0 && mask != 0 {
			mod := bytes.Clone(valid)
			mod[flipAt%len(mod)] ^= mask
			if pt, err := ring.Open(mod, aad); err == nil {
				t.Fatalf("Open accepted a modified ciphertext (byte %d ^ %#x): %q", flipAt%len(mod), mask, pt)
			}
		}
		// NeedsRotation and Rotate must not panic either.
		_ = ring.NeedsRotation(data)
		if out, err := ring.Rotate(data, fuzzAAD); err == nil && ring.NeedsRotation(out) {
			t.Fatalf("Rotate returned a value that still needs rotation")
		}
	})
}

// FuzzOpenText feeds the text decoder arbitrary strings.
func FuzzOpenText(f *testing.F) {
	ring, _ := fuzzRing(f)
	aad := AAD("org", "A")
	valid := EncodeText(sealFixed(f, ring.primary, []byte("ghp_token"), aad, 0x33))
	for _, s := range []string{"", TextPrefix, valid, valid + "=", valid[:len(valid)-1], "sb1.====", "sb1.\n", "sb2." + valid[4:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ring.OpenText(text, aad)
		if err == nil && text != valid {
			t.Fatalf("OpenText accepted text it never produced: %q -> %q", text, s.Reveal())
		}
		if err != nil && !s.IsZero() {
			t.Fatal("OpenText returned a value with an error")
		}
		if ct, err := DecodeText(text); err == nil && EncodeText(ct) != text {
			t.Fatalf("text form is not canonical: %q decodes, re-encodes as %q", text, EncodeText(ct))
		}
	})
}

// FuzzParseKey checks the key-text decoder never panics and never accepts
// fewer than 32 bytes of key material.
func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"", "hex:", "base64:", "00", "hex:" + string(bytes.Repeat([]byte("ab"), 32)),
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "base64:====", " \n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		secret, err := decodeSecret(text)
		if err == nil && len(secret) < MinSecretSize {
			t.Fatalf("decodeSecret(%q) accepted %d bytes", text, len(secret))
		}
		if _, err := ParseKey(text); err != nil && len(text) > 8 && bytes.Contains([]byte(err.Error()), []byte(text)) {
			t.Fatalf("error echoes the key text")
		}
	})
}

// FuzzMask checks Mask always returns valid UTF-8 and never shows more than
// eight characters of the input.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"", "sk_live_abcd1234", "пароль_секрет_ключ_1234", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Mask(%q) = %q, not valid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > 12 {
			t.Fatalf("Mask(%q) = %q, %d characters", s, got, n)
		}
		if utf8.RuneCountInString(s) < 12 && got != "••••" {
			t.Fatalf("Mask(%q) = %q, short value not fully masked", s, got)
		}
	})
}
