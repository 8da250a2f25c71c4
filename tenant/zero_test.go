package tenant_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/tenant"
)

// A Guard not made by New has no backend: every entry point must refuse
// loudly with a message naming the mistake, never serve or nil-dereference.
func TestZeroGuardPanicsWithAClearMessage(t *testing.T) {
	const msg = "tenant: Guard not created by tenant.New"
	h := http.NotFoundHandler()
	r := httptest.NewRequest(http.MethodGet, "/orgs/o1", nil)
	for _, g := range []*tenant.Guard{{}, nil} {
		require.PanicsWithValue(t, msg, func() { g.Require(tenant.PermRead) })
		require.PanicsWithValue(t, msg, func() { g.RequireRole(tenant.RoleViewer) })
		require.PanicsWithValue(t, msg, func() { g.Middleware(h) })
		require.PanicsWithValue(t, msg, func() { _, _ = g.Authorize(r, tenant.PermRead) })
		require.PanicsWithValue(t, msg, func() { _, _ = g.AuthorizeRole(r, tenant.RoleViewer) })
	}
}
