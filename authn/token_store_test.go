package authn_test

import (
	"testing"

	"github.com/bulwark-go/bulwark/authn"
	"github.com/bulwark-go/bulwark/authn/tokenstoretest"
)

func TestMemoryTokenStoreConformance(t *testing.T) {
	tokenstoretest.RunTokenStore(t, func(*testing.T) authn.TokenStore {
		return authn.NewMemoryTokenStore()
	})
}

func TestMemoryApprovalNonceStoreConformance(t *testing.T) {
	tokenstoretest.RunApprovalNonceStore(t, func(*testing.T) authn.ApprovalNonceStore {
		return authn.NewMemoryApprovalNonceStore()
	})
}
