package authn

import (
	"context"
	"sync"
	"time"
)

// ApprovalNonceStore remembers the nonces of redeemed single-use approval
// links until the links expire. Implementations must be safe for concurrent
// use; [MemoryApprovalNonceStore] and
// bulwark/authn/redisstore.ApprovalNonceStore are provided, and
// bulwark/authn/tokenstoretest checks any implementation.
type ApprovalNonceStore interface {
	// ClaimApprovalNonce atomically records nonce as used until expiresAt.
	// It returns true for the first claim of a nonce and false for every
	// later one while the record lasts. Errors mean a backend failure.
	ClaimApprovalNonce(ctx context.Context, nonce [16]byte, expiresAt time.Time) (bool, error)
}

// MemoryApprovalNonceStore is an in-memory [ApprovalNonceStore] for tests
// and single-instance deployments. Expired nonces are swept as new ones are
// claimed. Create one with [NewMemoryApprovalNonceStore]; it is safe for
// concurrent use.
type MemoryApprovalNonceStore struct {
	now func() time.Time

	mu        sync.Mutex
	used      map[[16]byte]time.Time
	nextSweep time.Time
}

var _ ApprovalNonceStore = (*MemoryApprovalNonceStore)(nil)

// NewMemoryApprovalNonceStore returns an empty store that forgets nonces
// after their expiry by the wall clock.
func NewMemoryApprovalNonceStore() *MemoryApprovalNonceStore {
	return &MemoryApprovalNonceStore{now: time.Now, used: make(map[[16]byte]time.Time)}
}

// ClaimApprovalNonce implements [ApprovalNonceStore].
func (s *MemoryApprovalNonceStore) ClaimApprovalNonce(_ context.Context, nonce [16]byte, expiresAt time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if now.After(s.nextSweep) {
		for n, exp := range s.used {
			if !now.Before(exp) {
				delete(s.used, n)
			}
		}
		s.nextSweep = now.Add(tokenSweepInterval)
	}
	if _, ok := s.used[nonce]; ok {
		return false, nil
	}
	s.used[nonce] = expiresAt
	return true, nil
}
