package redisstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/redis/go-redis/v9"
)

// ApprovalNonceStoreConfig configures an [ApprovalNonceStore].
type ApprovalNonceStoreConfig struct {
	// Client is the Redis client. Required.
	Client redis.Cmdable

	// Prefix starts every key the store writes. Default DefaultPrefix.
	Prefix string
}

// ApprovalNonceStore is an [authn.ApprovalNonceStore] backed by Redis: each
// claim is one SET NX with the link's expiry (PXAT), at
// <prefix>nonce:<hex nonce>. Create one with [NewApprovalNonceStore]; it
// is safe for concurrent use.
type ApprovalNonceStore struct {
	rdb    redis.Cmdable
	prefix string
}

var _ authn.ApprovalNonceStore = (*ApprovalNonceStore)(nil)

// NewApprovalNonceStore validates cfg and returns an ApprovalNonceStore.
func NewApprovalNonceStore(cfg ApprovalNonceStoreConfig) (*ApprovalNonceStore, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: ApprovalNonceStoreConfig.Client is required")
	}
	p := cfg.Prefix
	if p == "" {
		p = DefaultPrefix
	}
	return &ApprovalNonceStore{rdb: cfg.Client, prefix: p}, nil
}

// ClaimApprovalNonce implements [authn.ApprovalNonceStore].
func (s *ApprovalNonceStore) ClaimApprovalNonce(ctx context.Context, nonce [16]byte, expiresAt time.Time) (bool, error) {
	// A record must outlive the link; at least one millisecond keeps PXAT
	// valid for links that expire right now.
	exp := max(expiresAt.UnixMilli(), time.Now().UnixMilli()+1)
	err := s.rdb.SetArgs(ctx, s.prefix+"nonce:"+hex.EncodeToString(nonce[:]), "1",
		redis.SetArgs{Mode: "NX", ExpireAt: time.UnixMilli(exp)}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil):
		return false, nil
	default:
		return false, fmt.Errorf("redisstore: claim approval nonce: %w", err)
	}
}
