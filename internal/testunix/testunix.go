// Package testunix serves HTTP over a Unix-domain socket for tests, the
// way a reverse proxy on the same host reaches an application.
package testunix

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// Serve serves h on a new Unix socket in a temporary directory until the
// test ends, and returns a client that sends every request, whatever its
// URL, to that socket.
func Serve(tb testing.TB, h http.Handler) *http.Client {
	tb.Helper()
	sock := filepath.Join(tb.TempDir(), "app.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		tb.Fatalf("testunix: listen on %s: %v", sock, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	tb.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			tb.Errorf("testunix: serve: %v", err)
		}
	})
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}
