package sealbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"sync"
)

// keyState is the per-key precomputation. Each pooled scratch holds an
// HMAC-SHA256 keyed with the PRK whose inner and outer SHA-256 states have
// already absorbed PRK^ipad and PRK^opad (crypto/hmac saves them on the first
// Reset and restores them on every later Reset and Sum), so deriving a message
// key costs exactly two SHA-256 compressions: one for the 51-byte input
// label || salt || 0x01 plus padding, one for the outer hash of the 32-byte
// inner digest.
//
// The PRK is held only by the pool's New closure and inside the HMAC states,
// never in a struct field: fmt follows struct fields (even unexported ones,
// even through pointers when given a verb it cannot apply), but it prints
// functions and the pool's internals as addresses.
type keyState struct {
	pool sync.Pool // of *scratch
}

// scratch is the per-goroutine working memory for one message. Pooling it
// keeps the HMAC state, the derived key and the additional-data buffer off the
// per-message allocation count.
type scratch struct {
	mac  hash.Hash
	info [len(messageLabel) + saltSize]byte // label || salt
	ctr  [1]byte                            // HKDF block counter, always 0x01
	key  [32]byte                           // derived AES-256 key
	ad   []byte                             // header || user AAD
}

// maxPooledAD bounds the additional-data buffer kept in the pool, so one call
// with a huge AAD does not pin that memory for the life of the process.
const maxPooledAD = 4 << 10

func newKeyState(prk []byte) *keyState {
	st := &keyState{}
	key := make([]byte, len(prk))
	copy(key, prk)
	st.pool.New = func() any {
		s := &scratch{ctr: [1]byte{0x01}}
		copy(s.info[:], messageLabel)
		s.mac = hmac.New(sha256.New, key)
		s.mac.Reset() // makes crypto/hmac save the absorbed ipad/opad states
		return s
	}
	return st
}

func (st *keyState) get() *scratch { return st.pool.Get().(*scratch) }

func (st *keyState) put(s *scratch) {
	clear(s.key[:])
	if cap(s.ad) > maxPooledAD {
		s.ad = nil
	} else {
		clear(s.ad)
		s.ad = s.ad[:0]
	}
	st.pool.Put(s)
}

// expand returns the first HKDF-Expand block T(1) = HMAC(PRK, info || 0x01),
// which is HKDF-Expand(PRK, info, L) truncated to L for any L <= 32.
func (st *keyState) expand(info []byte) [sha256.Size]byte {
	s := st.get()
	defer st.put(s)
	s.mac.Reset()
	s.mac.Write(info)
	s.mac.Write(s.ctr[:])
	var t [sha256.Size]byte
	s.mac.Sum(t[:0])
	return t
}

// messageKey derives the AES-256 key for one message into s.key:
// HKDF-Expand(PRK, "bulwark sealbox v1" || salt, 32).
func (s *scratch) messageKey(salt []byte) {
	copy(s.info[len(messageLabel):], salt)
	s.mac.Reset()
	s.mac.Write(s.info[:])
	s.mac.Write(s.ctr[:])
	s.mac.Sum(s.key[:0])
}
