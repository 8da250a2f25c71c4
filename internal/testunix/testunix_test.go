package testunix

import (
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestServeReachesTheHandlerOverAUnixSocket(t *testing.T) {
	var network string
	client := Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		la, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if la != nil {
			network = la.Network()
		}
		_, _ = io.WriteString(w, "hello "+r.URL.Path)
	}))
	resp, err := client.Get("http://app/path")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "hello /path", string(body))
	require.Equal(t, "unix", network)
}

func TestServeNamedShowsTheChosenNameAsRemoteAddr(t *testing.T) {
	var remote string
	client := ServeNamed(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		remote = r.RemoteAddr
	}), "10.9.9.9:1")
	for range 2 {
		resp, err := client.Get("http://app/")
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		require.Equal(t, "10.9.9.9:1", remote)
	}
}
