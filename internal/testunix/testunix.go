// Package testunix serves HTTP over a Unix-domain socket for tests, the
// way a reverse proxy on the same host reaches an application.
package testunix

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Serve serves h on a new Unix socket in a temporary directory until the
// test ends, and returns a client that sends every request, whatever its
// URL, to that socket.
func Serve(tb testing.TB, h http.Handler) *http.Client {
	tb.Helper()
	return serve(tb, h, "")
}

// ServeNamed is like Serve, but the client's sockets bind themselves to
// name, a path relative to the working directory, so that the server sees
// name as each request's RemoteAddr, as it would for a local process that
// chose it. It changes the working directory to a temporary one for the
// rest of the test, so the test must not be parallel; each connection
// replaces the previous one's socket file.
func ServeNamed(tb testing.TB, h http.Handler, name string) *http.Client {
	tb.Helper()
	tb.Chdir(shortTempDir(tb))
	return serve(tb, h, name)
}

func serve(tb testing.TB, h http.Handler, name string) *http.Client {
	tb.Helper()
	// A short directory: socket paths are limited to about 104 bytes on
	// some systems, and TempDir's include the test's name.
	sock := filepath.Join(shortTempDir(tb), "app.sock")
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
	var d net.Dialer
	if name != "" {
		d.LocalAddr = &net.UnixAddr{Name: name, Net: "unix"}
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			if name != "" {
				_ = os.Remove(name) // left by an earlier connection
			}
			return d.DialContext(ctx, "unix", sock)
		},
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func shortTempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", "bw")
	if err != nil {
		tb.Fatalf("testunix: %v", err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}
