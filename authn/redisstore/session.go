// SessionStore: authn.SessionStore backed by Redis.

package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/redis/go-redis/v9"
)

var _ authn.SessionStore = (*SessionStore)(nil)

// SessionStoreConfig configures [NewSessionStore].
type SessionStoreConfig struct {
	// Client is the Redis connection: a *redis.Client, or any client that
	// runs scripts on a single server (Sentinel failover clients too).
	// Required. Redis Cluster is not supported: the scripts of one user
	// touch several keys that Cluster would place on different nodes.
	Client redis.Scripter

	// Prefix is prepended to every key. Default "bulwark:authn:session:".
	// Give each application sharing a Redis its own prefix.
	Prefix string
}

// SessionStore is an [authn.SessionStore] in Redis, shared by every
// instance of an application. Keys are derived from SHA-256 hashes only
// (session IDs and hashed user IDs), never from tokens or raw user IDs.
// Each session is a hash that expires with the session; each user has a
// sorted-set index, pruned of dead members on every create, capped by
// [authn.SessionLimits].MaxPerUser and expiring with its longest-lived
// session, so it cannot grow without bound. Validate-and-touch is one Lua
// script: one round trip per request.
//
// Times are the callers' clocks (authn.SessionConfig.Now), stored in
// milliseconds; key expiry uses relative TTLs, so the Redis server clock
// does not need to agree with the application's.
//
// Create one with [NewSessionStore]; it is safe for concurrent use.
type SessionStore struct {
	c       redis.Scripter
	prefix  string // P + "s:"
	uprefix string // P + "u:"

	create, replace, validate, del, delUser, list *redis.Script
}

// NewSessionStore returns a store using cfg.Client.
func NewSessionStore(cfg SessionStoreConfig) (*SessionStore, error) {
	if cfg.Client == nil {
		return nil, errors.New("redisstore: SessionStoreConfig.Client is required")
	}
	p := cfg.Prefix
	if p == "" {
		p = "bulwark:authn:session:"
	}
	return &SessionStore{
		c:        cfg.Client,
		prefix:   p + "s:",
		uprefix:  p + "u:",
		create:   redis.NewScript(sessionCreateBody),
		replace:  redis.NewScript(sessionReplaceLua),
		validate: redis.NewScript(sessionValidateLua),
		del:      redis.NewScript(sessionDeleteLua),
		delUser:  redis.NewScript(sessionDeleteUserLua),
		list:     redis.NewScript(sessionListLua),
	}, nil
}

func sessionMember(id authn.SessionID) string { return hex.EncodeToString(id[:]) }

// sessionParseMember decodes the text form written by sessionMember.
func sessionParseMember(m string) (authn.SessionID, bool) {
	var id authn.SessionID
	if len(m) != 2*len(id) {
		return id, false
	}
	_, err := hex.Decode(id[:], []byte(m))
	return id, err == nil
}

func (s *SessionStore) sessionKey(id authn.SessionID) string { return s.prefix + sessionMember(id) }

func (s *SessionStore) userKey(user string) string { return userKey(s.uprefix, user) }

// userKey returns prefix followed by a hash of the user ID, so personal
// data (often an e-mail address) never appears in a key name.
func userKey(prefix, user string) string {
	h := sha256.Sum256([]byte(user))
	return prefix + hex.EncodeToString(h[:16])
}

// encodeData returns the JSON form of session or family data, or "" for
// none.
func encodeData(d map[string]string) (string, error) {
	if len(d) == 0 {
		return "", nil
	}
	b, err := json.Marshal(d)
	return string(b), err
}

func sessionMS(t time.Time) int64 { return t.UnixMilli() }

func sessionFromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// createArgs returns KEYS and ARGV of the create script.
func (s *SessionStore) createArgs(ss authn.Session, now time.Time, lim authn.SessionLimits) ([]string, []any, error) {
	data, err := encodeData(ss.Data)
	if err != nil {
		return nil, nil, err
	}
	keys := []string{s.sessionKey(ss.ID), s.userKey(ss.UserID)}
	args := []any{
		s.prefix, sessionMember(ss.ID), ss.UserID,
		sessionMS(ss.CreatedAt), sessionMS(ss.ExpiresAt), sessionMS(ss.AuthTime), sessionMS(ss.LastSeen),
		int64(ss.Methods), ss.UserAgent, ss.IP, data,
		lim.MaxPerUser, sessionMS(now), lim.Idle.Milliseconds(),
	}
	return keys, args, nil
}

// Create implements [authn.SessionStore].
func (s *SessionStore) Create(ctx context.Context, ss authn.Session, lim authn.SessionLimits) error {
	keys, args, err := s.createArgs(ss, ss.LastSeen, lim)
	if err != nil {
		return err
	}
	return s.create.Run(ctx, s.c, keys, args...).Err()
}

// Replace implements [authn.SessionStore].
func (s *SessionStore) Replace(ctx context.Context, old authn.SessionID, ss authn.Session, now time.Time, lim authn.SessionLimits) (bool, error) {
	keys, args, err := s.createArgs(ss, now, lim)
	if err != nil {
		return false, err
	}
	keys = append(keys, s.sessionKey(old))
	args = append(args, sessionMember(old))
	n, err := s.replace.Run(ctx, s.c, keys, args...).Int()
	return n == 1, err
}

// Validate implements [authn.SessionStore] in one round trip.
func (s *SessionStore) Validate(ctx context.Context, id authn.SessionID, now time.Time, lim authn.SessionLimits) (authn.Session, authn.SessionReason, error) {
	res, err := s.validate.Run(ctx, s.c, []string{s.sessionKey(id)},
		sessionMS(now), lim.Idle.Milliseconds(), lim.Touch.Milliseconds()).Result()
	if err != nil {
		return authn.Session{}, 0, err
	}
	switch v := res.(type) {
	case int64:
		switch r := authn.SessionReason(v); r {
		case authn.SessionReasonUnknown, authn.SessionReasonIdle, authn.SessionReasonAbsolute:
			return authn.Session{}, r, nil
		}
		return authn.Session{}, 0, fmt.Errorf("redisstore: unexpected validate result %d", v)
	case []any:
		ss, err := sessionDecodeRecord(id, v)
		if err != nil {
			return authn.Session{}, 0, err
		}
		return ss, 0, nil
	}
	return authn.Session{}, 0, fmt.Errorf("redisstore: unexpected validate result %T", res)
}

// Delete implements [authn.SessionStore].
func (s *SessionStore) Delete(ctx context.Context, id authn.SessionID, userID string) (bool, error) {
	n, err := s.del.Run(ctx, s.c, []string{s.sessionKey(id)}, userID, sessionMember(id)).Int()
	return n == 1, err
}

// DeleteUser implements [authn.SessionStore].
func (s *SessionStore) DeleteUser(ctx context.Context, userID string, keep authn.SessionID) (int, error) {
	k := ""
	if !keep.IsZero() {
		k = sessionMember(keep)
	}
	return s.delUser.Run(ctx, s.c, []string{s.userKey(userID)}, s.prefix, k).Int()
}

// List implements [authn.SessionStore].
func (s *SessionStore) List(ctx context.Context, userID string, now time.Time, lim authn.SessionLimits) ([]authn.Session, error) {
	res, err := s.list.Run(ctx, s.c, []string{s.userKey(userID)}, s.prefix).Slice()
	if err != nil {
		return nil, err
	}
	var out []authn.Session
	for i := 0; i+1 < len(res); i += 2 {
		m, _ := res[i].(string)
		fields, _ := res[i+1].([]any)
		id, ok := sessionParseMember(m)
		if !ok {
			return nil, fmt.Errorf("redisstore: malformed index member")
		}
		ss, err := sessionDecodeRecord(id, fields)
		if err != nil {
			return nil, err
		}
		if !now.Before(ss.ExpiresAt) || !now.Before(ss.LastSeen.Add(lim.Idle)) {
			continue
		}
		out = append(out, ss)
	}
	return out, nil
}

// errSessionCorrupt reports a stored session that does not decode.
var errSessionCorrupt = errors.New("redisstore: corrupt session record")

// sessionDecodeRecord decodes the fields u, c, x, a, l, m, ua, ip, d.
func sessionDecodeRecord(id authn.SessionID, v []any) (authn.Session, error) {
	if len(v) != 9 {
		return authn.Session{}, errSessionCorrupt
	}
	var f [9]string
	for i, x := range v {
		switch x := x.(type) {
		case string:
			f[i] = x
		case nil:
		default:
			return authn.Session{}, errSessionCorrupt
		}
	}
	var n [5]int64
	for i := range n {
		var err error
		if n[i], err = strconv.ParseInt(f[1+i], 10, 64); err != nil {
			return authn.Session{}, errSessionCorrupt
		}
	}
	if n[4] < 0 || n[4] > 0xffff {
		return authn.Session{}, errSessionCorrupt
	}
	ss := authn.Session{
		ID:        id,
		UserID:    f[0],
		CreatedAt: sessionFromMS(n[0]),
		ExpiresAt: sessionFromMS(n[1]),
		AuthTime:  sessionFromMS(n[2]),
		LastSeen:  sessionFromMS(n[3]),
		Methods:   authn.SessionMethod(n[4]),
		UserAgent: f[6],
		IP:        f[7],
	}
	if f[8] != "" {
		if err := json.Unmarshal([]byte(f[8]), &ss.Data); err != nil {
			return authn.Session{}, errSessionCorrupt
		}
	}
	return ss, nil
}
