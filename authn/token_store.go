package authn

import (
	"context"
	"sync"
	"time"
)

// TokenKeySize is the size of a [TokenRecord] key: a SHA-256 digest.
const TokenKeySize = 32

// TokenRecord is what a [TokenStore] keeps for one one-time token. The token
// itself is never stored: Key is a SHA-256 digest of it, so a leaked store
// yields no usable tokens.
type TokenRecord struct {
	Key       [TokenKeySize]byte // SHA-256 of a label, the purpose and the token
	Purpose   string             // the TokenConfig.Purpose the token was issued for
	Subject   string             // whom the token is for, usually a user ID
	ExpiresAt time.Time          // when the token stops working
}

// TokenStore keeps one-time token records for [Tokens]. Implementations
// must be safe for concurrent use; [MemoryTokenStore] and
// bulwark/authn/redisstore.TokenStore are provided, and
// bulwark/authn/tokenstoretest checks any implementation.
//
// Errors always mean a backend failure; absence is reported through the
// boolean, never as an error.
type TokenStore interface {
	// SaveToken stores rec until rec.ExpiresAt. If replace is true it first
	// deletes, in the same atomic step, every other token with the same
	// Purpose and Subject.
	SaveToken(ctx context.Context, rec TokenRecord, replace bool) error

	// ConsumeToken atomically fetches and deletes the record stored under
	// key: among any number of concurrent callers with the same key exactly
	// one gets (rec, true, nil). A missing key is (zero, false, nil). A
	// store may return a record past its ExpiresAt (expiry is checked by
	// the caller) or may already have dropped it.
	ConsumeToken(ctx context.Context, key [TokenKeySize]byte) (TokenRecord, bool, error)

	// DeleteTokens deletes every token with the given purpose and subject.
	// Deleting none is not an error.
	DeleteTokens(ctx context.Context, purpose, subject string) error
}

// MemoryTokenStore is an in-memory [TokenStore] for tests and
// single-instance deployments. Tokens are lost on restart and not shared
// between processes; use the Redis store when running more than one
// instance. Expired records are swept as new ones are saved, so memory stays
// proportional to the number of live tokens. The zero value is not usable:
// create one with [NewMemoryTokenStore]. It is safe for concurrent use.
type MemoryTokenStore struct {
	now func() time.Time

	mu        sync.Mutex
	records   map[[TokenKeySize]byte]TokenRecord
	bySubject map[tokenSubjectKey]map[[TokenKeySize]byte]struct{}
	nextSweep time.Time
}

type tokenSubjectKey struct{ purpose, subject string }

var _ TokenStore = (*MemoryTokenStore)(nil)

// tokenSweepInterval bounds how often SaveToken scans for expired records.
const tokenSweepInterval = time.Minute

// NewMemoryTokenStore returns an empty MemoryTokenStore. Expired records
// are dropped using the wall clock.
func NewMemoryTokenStore() *MemoryTokenStore {
	return &MemoryTokenStore{
		now:       time.Now,
		records:   make(map[[TokenKeySize]byte]TokenRecord),
		bySubject: make(map[tokenSubjectKey]map[[TokenKeySize]byte]struct{}),
	}
}

// SaveToken implements [TokenStore].
func (s *MemoryTokenStore) SaveToken(_ context.Context, rec TokenRecord, replace bool) error {
	sk := tokenSubjectKey{rec.Purpose, rec.Subject}
	s.mu.Lock()
	defer s.mu.Unlock()
	if now := s.now(); now.After(s.nextSweep) {
		s.sweepLocked(now)
		s.nextSweep = now.Add(tokenSweepInterval)
	}
	if replace {
		s.deleteSubjectLocked(sk)
	}
	if old, ok := s.records[rec.Key]; ok {
		s.unindexLocked(old)
	}
	s.records[rec.Key] = rec
	keys := s.bySubject[sk]
	if keys == nil {
		keys = make(map[[TokenKeySize]byte]struct{}, 1)
		s.bySubject[sk] = keys
	}
	keys[rec.Key] = struct{}{}
	return nil
}

// ConsumeToken implements [TokenStore].
func (s *MemoryTokenStore) ConsumeToken(_ context.Context, key [TokenKeySize]byte) (TokenRecord, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[key]
	if !ok {
		return TokenRecord{}, false, nil
	}
	delete(s.records, key)
	s.unindexLocked(rec)
	return rec, true, nil
}

// DeleteTokens implements [TokenStore].
func (s *MemoryTokenStore) DeleteTokens(_ context.Context, purpose, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteSubjectLocked(tokenSubjectKey{purpose, subject})
	return nil
}

// Len returns the number of stored records, expired ones not yet swept
// included.
func (s *MemoryTokenStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// deleteSubjectLocked deletes every record of sk and its index entry.
func (s *MemoryTokenStore) deleteSubjectLocked(sk tokenSubjectKey) {
	for k := range s.bySubject[sk] {
		delete(s.records, k)
	}
	delete(s.bySubject, sk)
}

func (s *MemoryTokenStore) unindexLocked(rec TokenRecord) {
	sk := tokenSubjectKey{rec.Purpose, rec.Subject}
	if keys := s.bySubject[sk]; keys != nil {
		delete(keys, rec.Key)
		if len(keys) == 0 {
			delete(s.bySubject, sk)
		}
	}
}

func (s *MemoryTokenStore) sweepLocked(now time.Time) {
	for k, rec := range s.records {
		if !now.Before(rec.ExpiresAt) {
			delete(s.records, k)
			s.unindexLocked(rec)
		}
	}
}
