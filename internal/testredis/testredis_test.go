package testredis

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrefixIsUniqueAndCleanedUp(t *testing.T) {
	c := Client(t)
	ctx := context.Background()
	var key string
	t.Run("user", func(t *testing.T) {
		p1, p2 := Prefix(t, c, "self"), Prefix(t, c, "self")
		require.NotEqual(t, p1, p2)
		require.True(t, strings.HasPrefix(p1, "bulwark-test:self:"), p1)
		key = p1 + "k"
		require.NoError(t, c.Set(ctx, key, "v", 0).Err())
	})
	n, err := c.Exists(ctx, key).Result()
	require.NoError(t, err)
	require.Zero(t, n, "the test's keys must be deleted when it ends")
}
