package egress

import (
	"net/http"
	"net/netip"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A Transport or Policy not built by its constructor has no policy: it must
// refuse every request and address with an error, never panic inside
// http.Client or a dialer.
func TestZeroValuesRefuseEverything(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://93.184.215.14/", nil)
	require.NoError(t, err)
	for name, tr := range map[string]*Transport{"a zero Transport": {}, "a nil *Transport": nil} {
		t.Run(name, func(t *testing.T) {
			require.NotPanics(t, func() {
				resp, err := tr.RoundTrip(req)
				assert.Nil(t, resp)
				assert.ErrorIs(t, err, ErrConfig)
				tr.CloseIdleConnections()
			})
		})
	}
	t.Run("a nil *Policy", func(t *testing.T) {
		var p *Policy
		require.NotPanics(t, func() {
			assert.ErrorIs(t, p.CheckURL(&url.URL{Scheme: "https", Host: "93.184.215.14"}), ErrConfig)
			_, err := p.ValidateURL("https://93.184.215.14/")
			assert.ErrorIs(t, err, ErrConfig)
			assert.ErrorIs(t, p.CheckAddr(netip.MustParseAddr("93.184.215.14")), ErrConfig)
			assert.ErrorIs(t, p.Control(t.Context(), "tcp", "93.184.215.14:443", nil), ErrConfig)
		})
	})
}
