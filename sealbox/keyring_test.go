package sealbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestKey returns a Key from fresh random bytes, and the bytes.
func newTestKey(t testing.TB) (*Key, []byte) {
	t.Helper()
	secret := make([]byte, 32)
	_, err := rand.Read(secret)
	require.NoError(t, err)
	k, err := FromBytes(secret)
	require.NoError(t, err)
	return k, secret
}

func newTestRing(t testing.TB, primary *Key, previous ...*Key) *Keyring {
	t.Helper()
	r, err := New(Config{Primary: primary, Previous: previous})
	require.NoError(t, err)
	return r
}

// ---- Configuration ----

func TestNewRejectsInvalidConfig(t *testing.T) {
	a, _ := newTestKey(t)
	b, _ := newTestKey(t)
	aAgain := &Key{id: a.id, st: a.st}
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"zero config has no primary key", Config{}, "Config.Primary"},
		{"zero Key value is not a key", Config{Primary: &Key{}}, "Config.Primary"},
		{"nil previous key", Config{Primary: a, Previous: []*Key{b, nil}}, "Config.Previous[1]"},
		{"primary listed again as previous", Config{Primary: a, Previous: []*Key{aAgain}}, "Config.Previous[0]"},
		{"duplicate previous keys", Config{Primary: a, Previous: []*Key{b, b}}, "Config.Previous[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.cfg)
			require.Error(t, err)
			assert.Nil(t, r)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// ---- Round trips ----

func TestSealOpenRoundTrip(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	aad := AAD("org", "A", "record", "1", "field", "jira_token")
	for _, size := range []int{0, 1, 31, 32, 4 << 10, 1 << 20} {
		t.Run(fmt.Sprintf("%d bytes", size), func(t *testing.T) {
			pt := make([]byte, size)
			_, _ = rand.Read(pt)
			ct, err := r.Seal(pt, aad)
			require.NoError(t, err)
			require.Len(t, ct, size+Overhead)
			if size > 16 {
				assert.False(t, bytes.Contains(ct, pt[:16]), "plaintext visible in ciphertext")
			}

			got, err := r.Open(ct, aad)
			require.NoError(t, err)
			require.True(t, bytes.Equal(pt, got), "Open(Seal(pt)) differs from pt")

			text, err := r.SealText(NewSecret(string(pt)), aad)
			require.NoError(t, err)
			s, err := r.OpenText(text, aad)
			require.NoError(t, err)
			require.True(t, string(pt) == s.Reveal(), "OpenText(SealText(pt)) differs from pt")
		})
	}
}

func TestSealIsRandomised(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	a, err := r.Seal([]byte("same"), nil)
	require.NoError(t, err)
	b, err := r.Seal([]byte("same"), nil)
	require.NoError(t, err)
	assert.NotEqual(t, a[saltOffset:nonceOffset], b[saltOffset:nonceOffset], "salt repeated")
	assert.NotEqual(t, a[nonceOffset:HeaderSize], b[nonceOffset:HeaderSize], "nonce repeated")
	assert.NotEqual(t, a[HeaderSize:], b[HeaderSize:], "ciphertext repeated")
}

func TestOpenDoesNotAliasCiphertext(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	ct, err := r.Seal([]byte("token"), nil)
	require.NoError(t, err)
	pt, err := r.Open(ct, nil)
	require.NoError(t, err)
	clear(ct)
	assert.Equal(t, "token", string(pt))
}

func TestSealRejectsOversizedPlaintext(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	_, err := r.Seal(make([]byte, MaxPlaintextSize+1), nil)
	require.ErrorIs(t, err, ErrTooLarge)
}

// ---- Format, checked by an independent implementation ----

// openBySpec decrypts following the package documentation step by step, with
// crypto/hkdf and crypto/cipher only, sharing no code with the package.
func openBySpec(t *testing.T, secret, ct, aad []byte) []byte {
	t.Helper()
	require.GreaterOrEqual(t, len(ct), 65)
	require.Equal(t, byte(0x01), ct[0], "version")
	prk, err := hkdf.Extract(sha256.New, secret, []byte("bulwark sealbox v1 extract"))
	require.NoError(t, err)
	id, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1 key id", 4)
	require.NoError(t, err)
	require.Equal(t, id, ct[1:5], "key ID")
	salt, nonce := ct[5:37], ct[37:49]
	key, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1"+string(salt), 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	ad := append(append([]byte{}, ct[:49]...), aad...)
	pt, err := gcm.Open(nil, nonce, ct[49:], ad)
	require.NoError(t, err)
	return pt
}

// sealBySpec is the sealing twin of openBySpec.
func sealBySpec(t *testing.T, secret, pt, aad []byte) []byte {
	t.Helper()
	prk, err := hkdf.Extract(sha256.New, secret, []byte("bulwark sealbox v1 extract"))
	require.NoError(t, err)
	id, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1 key id", 4)
	require.NoError(t, err)
	hdr := make([]byte, 49)
	hdr[0] = 0x01
	copy(hdr[1:5], id)
	_, _ = rand.Read(hdr[5:])
	key, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1"+string(hdr[5:37]), 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	ad := append(append([]byte{}, hdr...), aad...)
	return gcm.Seal(hdr, hdr[37:49], pt, ad)
}

func TestFormatMatchesDocumentation(t *testing.T) {
	k, secret := newTestKey(t)
	r := newTestRing(t, k)
	aad := AAD("org", "A")
	pt := []byte("ghp_0123456789abcdefghijklmnopqrstuvwxyz")

	ct, err := r.Seal(pt, aad)
	require.NoError(t, err)
	assert.Equal(t, k.ID(), binary.BigEndian.Uint32(ct[1:5]))
	assert.Equal(t, string(pt), string(openBySpec(t, secret, ct, aad)), "spec reader opens Seal output")

	foreign := sealBySpec(t, secret, pt, aad)
	got, err := r.Open(foreign, aad)
	require.NoError(t, err, "Open accepts a value sealed by the spec writer")
	assert.Equal(t, string(pt), string(got))

	text, err := r.SealText(NewSecret(string(pt)), aad)
	require.NoError(t, err)
	require.True(t, len(text) > 4 && text[:4] == "sb1.", "text prefix")
	bin, err := textEncoding.DecodeString(text[4:])
	require.NoError(t, err)
	assert.Equal(t, string(pt), string(openBySpec(t, secret, bin, aad)))
	assert.Len(t, EncodeText(make([]byte, 64+Overhead)), 176, "documented text length of a 64-byte value")
}

// ---- Failures ----

func TestOpenRejectsEverySingleBitFlip(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	aad := AAD("org", "A")
	ct, err := r.Seal([]byte("sk_live_0123456789"), aad)
	require.NoError(t, err)
	for i := range len(ct) * 8 {
		mod := bytes.Clone(ct)
		mod[i/8] ^= 1 << (i % 8)
		pt, err := r.Open(mod, aad)
		require.Nil(t, pt, "bit %d", i)
		require.ErrorIs(t, err, ErrDecrypt, "bit %d", i)
		// Flipping key-ID bits names a key that is not in the ring.
		if i/8 >= keyIDOffset && i/8 < saltOffset {
			require.ErrorIs(t, err, ErrUnknownKey, "bit %d", i)
		} else {
			require.Equal(t, ErrDecrypt, err, "bit %d: one generic error", i)
		}
	}
}

func TestOpenRejectsEveryTruncationAndExtension(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	ct, err := r.Seal([]byte("sk_live_0123456789"), nil)
	require.NoError(t, err)
	for n := range len(ct) {
		pt, err := r.Open(ct[:n], nil)
		require.Nil(t, pt, "prefix of %d bytes", n)
		require.Equal(t, ErrDecrypt, err, "prefix of %d bytes", n)
		pt, err = r.Open(ct[n+1:], nil)
		require.Nil(t, pt, "suffix from byte %d", n+1)
		require.ErrorIs(t, err, ErrDecrypt, "suffix from byte %d", n+1)
	}
	pt, err := r.Open(append(bytes.Clone(ct), 0), nil)
	require.Nil(t, pt)
	require.Equal(t, ErrDecrypt, err, "one byte appended")
}

func TestOpenRejectsWrongAAD(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	sealedFor := AAD("org", "A", "record", "1", "field", "jira_token")
	ct, err := r.Seal([]byte("token"), sealedFor)
	require.NoError(t, err)

	others := map[string][]byte{
		"another organisation": AAD("org", "B", "record", "1", "field", "jira_token"),
		"another record":       AAD("org", "A", "record", "2", "field", "jira_token"),
		"another field":        AAD("org", "A", "record", "1", "field", "github_token"),
		"parts shifted":        AAD("org", "A", "record", "1f", "ield", "jira_token"),
		"no aad":               nil,
		"raw concatenation":    []byte("orgArecord1fieldjira_token"),
		"aad with a byte more": append(bytes.Clone(sealedFor), 0),
	}
	for name, aad := range others {
		t.Run(name, func(t *testing.T) {
			pt, err := r.Open(ct, aad)
			assert.Nil(t, pt)
			assert.Equal(t, ErrDecrypt, err)
		})
	}
}

func TestOpenRejectsOtherKeysAndVersions(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	ct, err := r.Seal([]byte("token"), nil)
	require.NoError(t, err)

	other, _ := newTestKey(t)
	pt, err := newTestRing(t, other).Open(ct, nil)
	assert.Nil(t, pt)
	assert.ErrorIs(t, err, ErrUnknownKey, "a ring without the sealing key")
	assert.ErrorIs(t, err, ErrDecrypt, "ErrUnknownKey is also an ErrDecrypt")

	// A different secret forced to claim the same key ID must not open it.
	forged := &Key{id: k.id, st: other.st}
	pt, err = newTestRing(t, forged).Open(ct, nil)
	assert.Nil(t, pt)
	assert.Equal(t, ErrDecrypt, err, "same key ID, different secret")

	for _, v := range []byte{0x00, 0x02, 0xff, 's'} {
		mod := bytes.Clone(ct)
		mod[0] = v
		pt, err := r.Open(mod, nil)
		assert.Nil(t, pt)
		assert.Equal(t, ErrDecrypt, err, "version byte %#x", v)
	}

}

// The header is part of the GCM additional data: a value built by the spec
// with the right key, salt and nonce but without the header in the
// additional data must not open.
func TestOpenRequiresHeaderInAdditionalData(t *testing.T) {
	k, secret := newTestKey(t)
	r := newTestRing(t, k)
	aad := AAD("org", "A")

	good := sealBySpec(t, secret, []byte("x"), aad)
	_, err := r.Open(good, aad)
	require.NoError(t, err, "control: the spec writer's value opens")

	prk, err := hkdf.Extract(sha256.New, secret, []byte("bulwark sealbox v1 extract"))
	require.NoError(t, err)
	hdr := bytes.Clone(good[:HeaderSize])
	key, err := hkdf.Expand(sha256.New, prk, "bulwark sealbox v1"+string(hdr[5:37]), 32)
	require.NoError(t, err)
	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	gcm, err := cipher.NewGCM(block)
	require.NoError(t, err)
	headerless := gcm.Seal(hdr, hdr[37:49], []byte("x"), aad)

	pt, err := r.Open(headerless, aad)
	assert.Nil(t, pt)
	assert.Equal(t, ErrDecrypt, err)
}

func TestOpenTextRejectsMalformedText(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	text, err := r.SealText(NewSecret("token"), nil)
	require.NoError(t, err)
	bin, err := DecodeText(text)
	require.NoError(t, err)
	tests := map[string]string{
		"empty":                    "",
		"prefix only":              TextPrefix,
		"no prefix":                text[len(TextPrefix):],
		"other prefix version":     "sb2." + text[len(TextPrefix):],
		"padding added":            text + "=",
		"standard base64 alphabet": TextPrefix + stdEncode(bin),
		"newline inside":           text[:20] + "\n" + text[20:],
		"trailing space":           text + " ",
		"character dropped":        text[:len(text)-1],
		"binary form":              string(bin),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			s, err := r.OpenText(in, nil)
			assert.True(t, s.IsZero())
			assert.Equal(t, ErrDecrypt, err)
		})
	}
}

// stdEncode returns the standard-alphabet base64 of b, forced to contain a
// '+' or '/' so the test is meaningful.
func stdEncode(b []byte) string {
	for i := 0; ; i++ {
		s := textEncodingStd(b)
		if bytes.ContainsAny([]byte(s), "+/") {
			return s
		}
		b = append(b[:len(b):len(b)], byte(i))
	}
}

// ---- Concurrency ----

func TestConcurrentSealOpen(t *testing.T) {
	k1, _ := newTestKey(t)
	k2, _ := newTestKey(t)
	old := newTestRing(t, k1)
	r := newTestRing(t, k2, k1)
	oldCT, err := old.Seal([]byte("old"), nil)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				pt := fmt.Appendf(nil, "goroutine %d message %d", g, i)
				aad := AAD("g", fmt.Sprint(g))
				ct, err := r.Seal(pt, aad)
				if err != nil {
					errs <- err
					return
				}
				got, err := r.Open(ct, aad)
				if err != nil || !bytes.Equal(got, pt) {
					errs <- fmt.Errorf("round trip %d/%d: %v", g, i, err)
					return
				}
				if got, err := r.Open(oldCT, nil); err != nil || string(got) != "old" {
					errs <- fmt.Errorf("old key %d/%d: %v", g, i, err)
					return
				}
				if _, err := r.Open(ct, nil); !errors.Is(err, ErrDecrypt) {
					errs <- fmt.Errorf("wrong aad accepted %d/%d", g, i)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
