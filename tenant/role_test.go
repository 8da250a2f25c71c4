package tenant

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Role
		ok   bool
	}{
		// The four names.
		{"viewer parses", "viewer", RoleViewer, true},
		{"member parses", "member", RoleMember, true},
		{"admin parses", "admin", RoleAdmin, true},
		{"owner parses", "owner", RoleOwner, true},
		// Anything else is rejected rather than guessed.
		{"empty string is no role", "", 0, false},
		{"capitalised name is rejected", "Owner", 0, false},
		{"surrounding space is rejected", " admin", 0, false},
		{"number is rejected", "4", 0, false},
		{"unknown name is rejected", "superuser", 0, false},
		{"name with NUL is rejected", "owner\x00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRole(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrInvalidRole)
				assert.Equal(t, Role(0), got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseRole(%q)", tt.in)
			assert.Equal(t, tt.in, got.String(), "String round trip")
		})
	}
}

func TestParseRoleErrorIsBounded(t *testing.T) {
	long := make([]byte, 10_000)
	for i := range long {
		long[i] = 'x'
	}
	_, err := ParseRole(string(long))
	require.ErrorIs(t, err, ErrInvalidRole)
	assert.Less(t, len(err.Error()), 100, "error message must not echo unbounded input")
}

func TestRoleOrder(t *testing.T) {
	order := []Role{RoleViewer, RoleMember, RoleAdmin, RoleOwner}
	for i, lo := range order {
		for j, hi := range order {
			assert.Equal(t, j >= i, hi.AtLeast(lo), "%v.AtLeast(%v)", hi, lo)
		}
	}
	// The zero Role and out-of-range values are never at least anything
	// and nothing is at least them.
	for _, bad := range []Role{0, 5, 255} {
		assert.False(t, bad.Valid(), "Role(%d).Valid()", uint8(bad))
		assert.False(t, bad.AtLeast(RoleViewer), "Role(%d).AtLeast(viewer)", uint8(bad))
		assert.False(t, RoleOwner.AtLeast(bad), "owner.AtLeast(Role(%d))", uint8(bad))
	}
	assert.Equal(t, "Role(0)", Role(0).String())
	assert.Equal(t, "Role(9)", Role(9).String())
}

func TestRoleJSON(t *testing.T) {
	type body struct {
		Role Role `json:"role"`
	}
	b, err := json.Marshal(body{RoleAdmin})
	require.NoError(t, err)
	assert.JSONEq(t, `{"role":"admin"}`, string(b))

	var got body
	require.NoError(t, json.Unmarshal([]byte(`{"role":"member"}`), &got))
	assert.Equal(t, RoleMember, got.Role)

	require.ErrorIs(t, json.Unmarshal([]byte(`{"role":"root"}`), &got), ErrInvalidRole)
	_, err = json.Marshal(body{})
	require.ErrorIs(t, err, ErrInvalidRole, "the zero Role must never be serialised")
}
