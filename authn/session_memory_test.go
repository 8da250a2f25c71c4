package authn_test

import (
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/internal/sessiontest"
)

func TestMemorySessionStoreConformance(t *testing.T) {
	sessiontest.RunSessionStore(t, func(t *testing.T) authn.SessionStore {
		return authn.NewMemorySessionStore()
	})
}

func TestMemoryRefreshStoreConformance(t *testing.T) {
	sessiontest.RunRefreshStore(t, func(t *testing.T) authn.RefreshStore {
		return authn.NewMemoryRefreshStore()
	})
}

func TestZeroMemoryStoresAreUsable(t *testing.T) {
	sessiontest.RunSessionStore(t, func(t *testing.T) authn.SessionStore {
		return new(authn.MemorySessionStore)
	})
	sessiontest.RunRefreshStore(t, func(t *testing.T) authn.RefreshStore {
		return new(authn.MemoryRefreshStore)
	})
}
