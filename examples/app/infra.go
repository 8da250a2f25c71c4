package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver, registered as "pgx"
	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/authn"
	authnredis "github.com/bulwark-go/bulwark/authn/redisstore"
	"github.com/bulwark-go/bulwark/ratelimit"
	rateredis "github.com/bulwark-go/bulwark/ratelimit/redisstore"
	"github.com/bulwark-go/bulwark/totp"
	totpredis "github.com/bulwark-go/bulwark/totp/redisstore"
)

// infra holds the optional real infrastructure: PostgreSQL (DATABASE_URL)
// and Redis (REDIS_URL). Nil fields mean the defaults: SQLite and memory
// stores.
type infra struct {
	db          *db
	redis       *redis.Client
	rate        ratelimit.Store
	sessions    authn.SessionStore
	tokens      authn.TokenStore
	nonces      authn.ApprovalNonceStore
	totpReplay  totp.ReplayStore
	totpAttempt totp.AttemptStore
}

// openInfra connects to what the environment names. redisPrefix namespaces
// every key, so the app can share a Redis with other applications (and
// tests can run side by side).
func openInfra(ctx context.Context, databaseURL, redisURL string, log *slog.Logger) (infra, error) {
	return openInfraPrefix(ctx, databaseURL, redisURL, "bulwark-app:", log)
}

func openInfraPrefix(ctx context.Context, databaseURL, redisURL, redisPrefix string, log *slog.Logger) (in infra, err error) {
	if databaseURL != "" {
		if in.db, err = openPostgres(ctx, databaseURL); err != nil {
			return infra{}, fmt.Errorf("DATABASE_URL: %w", err)
		}
	}
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			in.Close()
			// net/url's parse errors quote the whole URL, password
			// included; keep only the reason.
			if uerr := (*url.Error)(nil); errors.As(err, &uerr) {
				err = uerr.Err
			}
			return infra{}, fmt.Errorf("REDIS_URL: %w", err)
		}
		in.redis = redis.NewClient(opt)
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := in.redis.Ping(pctx).Err(); err != nil {
			in.Close()
			return infra{}, fmt.Errorf("REDIS_URL: %w", err)
		}
		if in.rate, err = rateredis.New(rateredis.Config{Client: in.redis, Prefix: redisPrefix + "ratelimit:"}); err != nil {
			return infra{}, err
		}
		if in.sessions, err = authnredis.NewSessionStore(authnredis.SessionStoreConfig{Client: in.redis, Prefix: redisPrefix + "session:"}); err != nil {
			return infra{}, err
		}
		if in.tokens, err = authnredis.NewTokenStore(authnredis.TokenStoreConfig{Client: in.redis, Prefix: redisPrefix + "authn:"}); err != nil {
			return infra{}, err
		}
		if in.nonces, err = authnredis.NewApprovalNonceStore(authnredis.ApprovalNonceStoreConfig{Client: in.redis, Prefix: redisPrefix + "approval:"}); err != nil {
			return infra{}, err
		}
		ts, err := totpredis.New(in.redis, totpredis.Config{KeyPrefix: redisPrefix + "totp:"})
		if err != nil {
			return infra{}, err
		}
		in.totpReplay, in.totpAttempt = ts, ts
	}
	return in, nil
}

func (in infra) Close() {
	if in.redis != nil {
		in.redis.Close()
	}
}

func (in infra) describeDB() string {
	if in.db != nil {
		return "postgresql (row-level security)"
	}
	return "sqlite"
}

func (in infra) describeStores() string {
	if in.redis != nil {
		return "redis (sessions, rate limits, one-time tokens, approval nonces, TOTP replay guard)"
	}
	return "memory"
}

// openPostgres opens DATABASE_URL and applies the migrations, including the
// row-level security policies.
func openPostgres(ctx context.Context, url string) (*db, error) {
	s, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.PingContext(pctx); err != nil {
		s.Close()
		return nil, err
	}
	d := &db{sql: s, postgres: true}
	if err := d.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	// Superusers and BYPASSRLS roles ignore row-level security, FORCE or
	// not. Say so loudly rather than pretend the policies protect anything.
	var bypass bool
	if err := s.QueryRowContext(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass); err == nil && bypass {
		d.rlsBypassed = true
	}
	return d, nil
}
