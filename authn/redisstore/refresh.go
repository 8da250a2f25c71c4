// RefreshStore: authn.RefreshStore backed by Redis.

package redisstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/redis/go-redis/v9"
)

var _ authn.RefreshStore = (*RefreshStore)(nil)

// RefreshStoreConfig configures [NewRefreshStore].
type RefreshStoreConfig struct {
	// Client is the Redis connection; required. As for
	// [SessionStoreConfig], Redis Cluster is not supported.
	Client redis.Scripter

	// Prefix is prepended to every key. Default "bulwark:authn:refresh:".
	Prefix string
}

// RefreshStore is an [authn.RefreshStore] in Redis. Every operation is one
// Lua script, so rotation and reuse detection are atomic across all
// instances: of two concurrent refreshes with one token, exactly one
// rotates and the other revokes the family. Keys hold only SHA-256 hashes
// of tokens and user IDs and expire with their family; each family
// remembers at most [authn.RefreshLimits].MaxKept tokens, and each user's
// index is pruned and capped, so nothing grows without bound.
//
// Create one with [NewRefreshStore]; it is safe for concurrent use.
type RefreshStore struct {
	c      redis.Scripter
	prefix string

	create, rotate, alive, revoke, revokeUser *redis.Script
}

// NewRefreshStore returns a store using cfg.Client.
func NewRefreshStore(cfg RefreshStoreConfig) (*RefreshStore, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: RefreshStoreConfig.Client is required")
	}
	p := cfg.Prefix
	if p == "" {
		p = "bulwark:authn:refresh:"
	}
	return &RefreshStore{
		c:          cfg.Client,
		prefix:     p,
		create:     redis.NewScript(refreshCreateLua),
		rotate:     redis.NewScript(refreshRotateLua),
		alive:      redis.NewScript(refreshAliveLua),
		revoke:     redis.NewScript(refreshRevokeLua),
		revokeUser: redis.NewScript(refreshRevokeUserLua),
	}, nil
}

func (s *RefreshStore) key(kind string, id authn.SessionID) string {
	return s.prefix + kind + hex.EncodeToString(id[:])
}

func (s *RefreshStore) userKey(user string) string { return userKey(s.prefix+"u:", user) }

// Create implements [authn.RefreshStore].
func (s *RefreshStore) Create(ctx context.Context, f authn.RefreshFamily, token authn.SessionID, lim authn.RefreshLimits) ([]authn.SessionID, error) {
	data, err := encodeData(f.Data)
	if err != nil {
		return nil, err
	}
	keys := []string{s.key("f:", f.ID), s.key("l:", f.ID), s.key("t:", token), s.userKey(f.UserID)}
	res, err := s.create.Run(ctx, s.c, keys,
		s.prefix, sessionMember(f.ID), sessionMember(token), f.UserID,
		sessionMS(f.CreatedAt), sessionMS(f.ExpiresAt), sessionMS(f.AuthTime), sessionMS(f.LastUsed),
		int64(f.Methods), data, sessionMember(f.AccessID),
		sessionMS(f.CreatedAt), lim.Idle.Milliseconds(), lim.MaxPerUser).StringSlice()
	if err != nil {
		return nil, err
	}
	return refreshParseIDs(res)
}

// Rotate implements [authn.RefreshStore].
func (s *RefreshStore) Rotate(ctx context.Context, token, next, access authn.SessionID, now time.Time, lim authn.RefreshLimits) (authn.RefreshFamily, authn.SessionReason, error) {
	res, err := s.rotate.Run(ctx, s.c, []string{s.key("t:", token), s.key("t:", next)},
		s.prefix, sessionMember(token), sessionMember(next), sessionMember(access),
		sessionMS(now), lim.Idle.Milliseconds(), lim.MaxKept).Slice()
	if err != nil {
		return authn.RefreshFamily{}, 0, err
	}
	if len(res) == 0 {
		return authn.RefreshFamily{}, 0, errRefreshCorrupt
	}
	code, ok := res[0].(int64)
	if !ok {
		return authn.RefreshFamily{}, 0, errRefreshCorrupt
	}
	reason := authn.SessionReason(code)
	switch reason {
	case authn.SessionReasonUnknown:
		return authn.RefreshFamily{}, reason, nil
	case 0, authn.SessionReasonIdle, authn.SessionReasonAbsolute, authn.SessionReasonReused:
	default:
		return authn.RefreshFamily{}, 0, fmt.Errorf("redisstore: unexpected rotate result %d", code)
	}
	f, err := refreshDecodeFamily(res[1:])
	if err != nil {
		return authn.RefreshFamily{}, 0, err
	}
	return f, reason, nil
}

// Alive implements [authn.RefreshStore].
func (s *RefreshStore) Alive(ctx context.Context, family, access authn.SessionID) (bool, error) {
	n, err := s.alive.Run(ctx, s.c, []string{s.key("f:", family)}, sessionMember(access)).Int()
	return n == 1, err
}

// Revoke implements [authn.RefreshStore].
func (s *RefreshStore) Revoke(ctx context.Context, token authn.SessionID) (authn.SessionID, bool, error) {
	res, err := s.revoke.Run(ctx, s.c, []string{s.key("t:", token)}, s.prefix).StringSlice()
	if err != nil || len(res) == 0 {
		return authn.SessionID{}, false, err
	}
	ids, err := refreshParseIDs(res)
	if err != nil {
		return authn.SessionID{}, false, err
	}
	return ids[0], true, nil
}

// RevokeUser implements [authn.RefreshStore].
func (s *RefreshStore) RevokeUser(ctx context.Context, userID string) ([]authn.SessionID, error) {
	res, err := s.revokeUser.Run(ctx, s.c, []string{s.userKey(userID)}, s.prefix).StringSlice()
	if err != nil {
		return nil, err
	}
	return refreshParseIDs(res)
}

var errRefreshCorrupt = errors.New("redisstore: corrupt refresh family record")

func refreshParseID(s string) (authn.SessionID, error) {
	id, ok := sessionParseMember(s)
	if !ok {
		return id, errRefreshCorrupt
	}
	return id, nil
}

func refreshParseIDs(ss []string) ([]authn.SessionID, error) {
	var out []authn.SessionID
	for _, s := range ss {
		id, err := refreshParseID(s)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

// refreshDecodeFamily decodes {family, u, c, x, a, l, m, d, acc}.
func refreshDecodeFamily(v []any) (authn.RefreshFamily, error) {
	if len(v) != 9 {
		return authn.RefreshFamily{}, errRefreshCorrupt
	}
	var f [9]string
	for i, x := range v {
		s, ok := x.(string)
		if !ok {
			return authn.RefreshFamily{}, errRefreshCorrupt
		}
		f[i] = s
	}
	var n [5]int64
	for i := range n {
		var err error
		if n[i], err = strconv.ParseInt(f[2+i], 10, 64); err != nil {
			return authn.RefreshFamily{}, errRefreshCorrupt
		}
	}
	if n[4] < 0 || n[4] > 0xffff {
		return authn.RefreshFamily{}, errRefreshCorrupt
	}
	fid, err := refreshParseID(f[0])
	if err != nil {
		return authn.RefreshFamily{}, err
	}
	acc, err := refreshParseID(f[8])
	if err != nil {
		return authn.RefreshFamily{}, err
	}
	fam := authn.RefreshFamily{
		ID:        fid,
		UserID:    f[1],
		CreatedAt: sessionFromMS(n[0]),
		ExpiresAt: sessionFromMS(n[1]),
		AuthTime:  sessionFromMS(n[2]),
		LastUsed:  sessionFromMS(n[3]),
		Methods:   authn.SessionMethod(n[4]),
		AccessID:  acc,
	}
	if f[7] != "" {
		if err := json.Unmarshal([]byte(f[7]), &fam.Data); err != nil {
			return authn.RefreshFamily{}, errRefreshCorrupt
		}
	}
	return fam, nil
}
