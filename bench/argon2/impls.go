// Package argon2 compares bulwark's authn.Hasher with
// github.com/alexedwards/argon2id and with raw golang.org/x/crypto/argon2
// (the floor: IDKey plus a minimal PHC encoding, no concurrency bound, no
// strict parser). Every implementation hashes with argon2id at the same
// parameters (19 MiB, 2 passes, 1 lane, 16-byte salt, 32-byte key) into a
// PHC string, and verifies such strings.
package argon2

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/alexedwards/argon2id"
	"github.com/bulwark-go/bulwark/authn"
	"golang.org/x/crypto/argon2"
)

// The shared parameters: authn's defaults.
const (
	Memory      = authn.DefaultHasherMemory
	Time        = authn.DefaultHasherTime
	Parallelism = authn.DefaultHasherParallelism
	SaltLen     = 16
	KeyLen      = 32
)

// Impl is one implementation under comparison.
type Impl interface {
	Hash(password string) (string, error)
	Verify(password, hash string) (bool, error)
}

// Names lists the implementations in table order.
func Names() []string { return []string{"bulwark", "alexedwards", "raw"} }

// Impls returns the implementations by benchmark name.
func Impls() (map[string]Impl, error) {
	h, err := authn.NewHasher(authn.HasherConfig{Memory: Memory, Time: Time, Parallelism: Parallelism})
	if err != nil {
		return nil, err
	}
	return map[string]Impl{
		"bulwark":     bulwarkImpl{h},
		"alexedwards": alexImpl{&argon2id.Params{Memory: Memory, Iterations: Time, Parallelism: Parallelism, SaltLength: SaltLen, KeyLength: KeyLen}},
		"raw":         rawImpl{},
	}, nil
}

type bulwarkImpl struct{ h *authn.Hasher }

func (b bulwarkImpl) Hash(pw string) (string, error) { return b.h.Hash(context.Background(), pw) }

func (b bulwarkImpl) Verify(pw, hash string) (bool, error) {
	err := b.h.Verify(context.Background(), pw, hash)
	if errors.Is(err, authn.ErrInvalidCredentials) {
		return false, nil
	}
	return err == nil, err
}

type alexImpl struct{ p *argon2id.Params }

func (a alexImpl) Hash(pw string) (string, error) { return argon2id.CreateHash(pw, a.p) }

func (a alexImpl) Verify(pw, hash string) (bool, error) {
	return argon2id.ComparePasswordAndHash(pw, hash)
}

type rawImpl struct{}

var b64 = base64.RawStdEncoding

func (rawImpl) Hash(pw string) (string, error) {
	salt := make([]byte, SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, Time, Memory, Parallelism, KeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", Memory, Time, Parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify parses only what Hash writes: fixed parameters, then salt and key.
func (rawImpl) Verify(pw, hash string) (bool, error) {
	var m, t uint32
	var p uint8
	var saltKey string
	if _, err := fmt.Sscanf(hash, "$argon2id$v=19$m=%d,t=%d,p=%d$%s", &m, &t, &p, &saltKey); err != nil {
		return false, err
	}
	var saltB64, keyB64 string
	for i := 0; i < len(saltKey); i++ {
		if saltKey[i] == '$' {
			saltB64, keyB64 = saltKey[:i], saltKey[i+1:]
			break
		}
	}
	salt, err := b64.DecodeString(saltB64)
	if err != nil {
		return false, err
	}
	key, err := b64.DecodeString(keyB64)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}
