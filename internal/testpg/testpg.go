// Package testpg connects tests to the real PostgreSQL server they run
// against, so that every PostgreSQL test in Bulwark finds, and misses, the
// server the same way.
//
// The server is DATABASE_URL, by default the local server's test database
// as the postgres user (trust authentication). When it does not answer,
// the test is skipped with a message saying how to run it, unless CI is
// set: then it fails (see testredis.SkipOrFail). Tests share the database
// with other packages' tests running at the same time, so each works in
// schemas and roles of its own.
package testpg

import (
	"context"
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/bulwark-go/bulwark/internal/testredis"
)

// DefaultURL is the server used when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL returns DATABASE_URL, or DefaultURL.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Open returns a connection pool to URL() as its own (administrative)
// user, closed when the test ends. Without a server it skips the test, or
// fails it under CI; a DATABASE_URL that does not parse always fails it.
func Open(tb testing.TB) *sql.DB {
	tb.Helper()
	cfg, err := pgx.ParseConfig(URL())
	if err != nil {
		tb.Fatalf("DATABASE_URL does not parse: %v", err)
	}
	db := stdlib.OpenDB(*cfg)
	tb.Cleanup(func() { _ = db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		testredis.SkipOrFail(tb, "skipping: no PostgreSQL at DATABASE_URL (default 127.0.0.1:5432/test): %v", err)
	}
	return db
}
