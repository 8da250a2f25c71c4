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

func TestMemoryStoreBackupConformance(t *testing.T) {
	storetest.BackupStore(t, func(*testing.T) totp.BackupStore { return totp.NewMemoryStore() })
}
