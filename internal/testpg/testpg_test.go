package testpg

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestURLDefaultsToTheLocalServer(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	require.Equal(t, DefaultURL, URL())
	t.Setenv("DATABASE_URL", "postgres://app@127.0.0.1:5433/other")
	require.Equal(t, "postgres://app@127.0.0.1:5433/other", URL())
}

func TestOpenReachesTheServerAndClosesAfterTheTest(t *testing.T) {
	var pool interface{ Ping() error }
	t.Run("user", func(t *testing.T) {
		db := Open(t)
		var one int
		require.NoError(t, db.QueryRow("SELECT 1").Scan(&one))
		require.Equal(t, 1, one)
		pool = db
	})
	require.Error(t, pool.Ping(), "the pool must be closed when the test ends")
}
