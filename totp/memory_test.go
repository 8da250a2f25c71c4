package totp_test

import (
	"testing"

	"github.com/bulwark-go/bulwark/totp"
	"github.com/bulwark-go/bulwark/totp/internal/storetest"
)

// The memory store passes the same conformance suite as totp/redisstore.

func TestMemoryStoreReplayConformance(t *testing.T) {
	storetest.ReplayStore(t, func(*testing.T) totp.ReplayStore { return totp.NewMemoryStore() })
}

func TestMemoryStoreAttemptConformance(t *testing.T) {
	storetest.AttemptStore(t, func(*testing.T) totp.AttemptStore { return totp.NewMemoryStore() })
}

func TestZeroMemoryStoreConformance(t *testing.T) {
	t.Run("replay", func(t *testing.T) {
		storetest.ReplayStore(t, func(*testing.T) totp.ReplayStore { return new(totp.MemoryStore) })
	})
	t.Run("attempts", func(t *testing.T) {
		storetest.AttemptStore(t, func(*testing.T) totp.AttemptStore { return new(totp.MemoryStore) })
	})
	t.Run("backup", func(t *testing.T) {
		storetest.BackupStore(t, func(*testing.T) totp.BackupStore { return new(totp.MemoryStore) })
	})
}

func TestMemoryStoreBackupConformance(t *testing.T) {
	storetest.BackupStore(t, func(*testing.T) totp.BackupStore { return totp.NewMemoryStore() })
}
