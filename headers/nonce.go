package headers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
)

// nonceBytes is the nonce length: 128 bits, as CSP3 section 2.3.1
// recommends, from crypto/rand.
const nonceBytes = 16

// nonceLen is the length of the base64 form of a nonce.
const nonceLen = 24

// batchNonces is how many nonces' worth of randomness one crypto/rand call
// fills. Batching amortises the cost of the system call; each byte is
// handed out once and then erased, so nonces stay independent and
// unpredictable.
const batchNonces = 64

type randBatch struct {
	buf [batchNonces * nonceBytes]byte
	off int
}

// noncePool hands out randomness from per-P batches.
type noncePool struct{ pool sync.Pool }

// next writes a fresh base64 nonce into dst.
func (p *noncePool) next(dst *[nonceLen]byte) {
	b, _ := p.pool.Get().(*randBatch)
	if b == nil {
		b = &randBatch{off: len(randBatch{}.buf)}
	}
	if b.off == len(b.buf) {
		// crypto/rand.Read never fails (it aborts the program if the
		// kernel cannot provide randomness).
		_, _ = rand.Read(b.buf[:])
		b.off = 0
	}
	chunk := b.buf[b.off : b.off+nonceBytes]
	base64.StdEncoding.Encode(dst[:], chunk)
	clear(chunk)
	b.off += nonceBytes
	p.pool.Put(b)
}

// requestState is what the middleware stores in the request context: the
// nonce and the per-request header values, in one allocation.
type requestState struct {
	nonce string // a substring of csp[0] or reportOnly[0]
	csp   [1]string
	ro    [1]string
}

type nonceKey struct{}

// nonceContext carries a requestState in the same allocation as the
// context node itself, saving the separate context.WithValue node.
type nonceContext struct {
	context.Context
	st requestState
}

func (c *nonceContext) Value(key any) any {
	if key == (nonceKey{}) {
		return &c.st
	}
	return c.Context.Value(key)
}

// Nonce returns the CSP nonce of the request whose context is ctx: 24
// base64 characters (16 random bytes) to put in the nonce attribute of
// inline <script> and <style> elements, or "" when no [Headers] middleware
// that uses [RequestNonce] ran for the request.
//
// With html/template, pass it to the template and write
// <script nonce="{{.Nonce}}">; the template escapes it correctly. Never
// put the nonce into a cached response: a nonce seen twice is no longer a
// secret.
func Nonce(ctx context.Context) string {
	if s, ok := ctx.Value(nonceKey{}).(*requestState); ok {
		return s.nonce
	}
	return ""
}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(nonceKey{}).(*requestState)
	return s
}
