// Package sealbox compares bulwark's sealbox with fernet-go and with raw
// standard-library AES-256-GCM under a fixed key (the floor: no per-message
// key derivation, no header). Every implementation encrypts and
// authenticates the same plaintext with one key in its ring and returns a
// self-contained ciphertext that its Open turns back into the plaintext.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"

	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/fernet/fernet-go"
)

// Impl is one implementation under comparison.
type Impl interface {
	Seal(plaintext []byte) ([]byte, error)
	Open(ciphertext []byte) ([]byte, error)
}

// Impls returns the implementations by benchmark name, each with a fresh
// random key.
func Impls() (map[string]Impl, error) {
	b, err := newBulwark()
	if err != nil {
		return nil, err
	}
	f, err := newFernet()
	if err != nil {
		return nil, err
	}
	g, err := newAESGCM()
	if err != nil {
		return nil, err
	}
	return map[string]Impl{"bulwark": b, "fernet": f, "aesgcm": g}, nil
}

// Names lists the implementations in table order.
func Names() []string { return []string{"bulwark", "fernet", "aesgcm"} }

type bulwarkImpl struct{ ring *sealbox.Keyring }

func newBulwark() (*bulwarkImpl, error) {
	secret, err := sealbox.GenerateSecret()
	if err != nil {
		return nil, err
	}
	k, err := sealbox.ParseKey(secret)
	if err != nil {
		return nil, err
	}
	r, err := sealbox.New(sealbox.Config{Primary: k})
	if err != nil {
		return nil, err
	}
	return &bulwarkImpl{ring: r}, nil
}

// Seal and Open use no additional data: the peers have no such input.
func (b *bulwarkImpl) Seal(pt []byte) ([]byte, error) { return b.ring.Seal(pt, nil) }
func (b *bulwarkImpl) Open(ct []byte) ([]byte, error) { return b.ring.Open(ct, nil) }

type fernetImpl struct {
	key  *fernet.Key
	keys []*fernet.Key
}

func newFernet() (*fernetImpl, error) {
	var k fernet.Key
	if err := k.Generate(); err != nil {
		return nil, err
	}
	return &fernetImpl{key: &k, keys: []*fernet.Key{&k}}, nil
}

func (f *fernetImpl) Seal(pt []byte) ([]byte, error) { return fernet.EncryptAndSign(pt, f.key) }

// Open verifies without a TTL (ttl 0), like sealbox, which has no expiry.
func (f *fernetImpl) Open(ct []byte) ([]byte, error) {
	pt := fernet.VerifyAndDecrypt(ct, 0, f.keys)
	if pt == nil {
		return nil, errors.New("fernet: invalid token")
	}
	return pt, nil
}

// aesgcmImpl is AES-256-GCM with one fixed key and a random nonce per
// message, output nonce || ciphertext || tag: the cost floor.
type aesgcmImpl struct{ aead cipher.AEAD }

func newAESGCM() (*aesgcmImpl, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &aesgcmImpl{aead: aead}, nil
}

func (g *aesgcmImpl) Seal(pt []byte) ([]byte, error) {
	ns := g.aead.NonceSize()
	out := make([]byte, ns, ns+len(pt)+g.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return g.aead.Seal(out, out[:ns], pt, nil), nil
}

func (g *aesgcmImpl) Open(ct []byte) ([]byte, error) {
	ns := g.aead.NonceSize()
	if len(ct) < ns+g.aead.Overhead() {
		return nil, errors.New("aesgcm: short ciphertext")
	}
	return g.aead.Open(make([]byte, 0, len(ct)-ns-g.aead.Overhead()), ct[:ns], ct[ns:], nil)
}
