// Command app is Bulwark's reference web application: a small team
// workspace that wires every Bulwark package together the way a real
// product would. Run it from the repository root with
//
//	go run ./examples/app
//
// and open http://127.0.0.1:8080. It needs no set-up: SQLite in a local
// data directory, in-memory stores, a generated app secret. The
// environment switches to real infrastructure:
//
//	ADDR          listen address (default 127.0.0.1:8080)
//	DATA_DIR      data directory (default examples/app/data)
//	APP_SECRET    root secret for HMAC keys (default: generated into DATA_DIR/app-secret)
//	SEAL_KEYS     sealing secrets, newest first, comma-separated (default: DATA_DIR/seal-keys)
//	DATABASE_URL  PostgreSQL instead of SQLite, with row-level security
//	REDIS_URL     Redis for sessions, rate limits, one-time tokens, approval nonces and the TOTP replay guard
//	PUBLIC_URL    origin used in emailed links (default http://ADDR)
//
// `go run ./examples/app rotate-keys` adds a new sealing secret and re-seals
// every stored integration token and TOTP secret under it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	if len(os.Args) > 1 && os.Args[1] == "rotate-keys" {
		err = rotateKeysCommand(log)
	} else if len(os.Args) > 1 {
		err = fmt.Errorf("unknown command %q (the only command is rotate-keys)", os.Args[1])
	} else {
		err = run(log)
	}
	if err != nil {
		log.Error("app stopped", "err", err)
		os.Exit(1)
	}
}

func dataDir() string {
	if d := os.Getenv("DATA_DIR"); d != "" {
		return d
	}
	if fi, err := os.Stat(filepath.Join("examples", "app")); err == nil && fi.IsDir() {
		return filepath.Join("examples", "app", "data") // run from the repository root
	}
	return "data"
}

// env is the environment-derived part of the set-up, shared by the server
// and rotate-keys.
type env struct {
	dir     string
	secrets *secrets
	db      *db
	infra   infra
}

func openEnv(ctx context.Context, log *slog.Logger) (*env, error) {
	e := &env{dir: dataDir()}
	if err := os.MkdirAll(e.dir, 0o700); err != nil {
		return nil, err
	}
	s, created, err := loadSecrets(e.dir, os.Getenv)
	if err != nil {
		return nil, err
	}
	for _, p := range created {
		log.Warn("!!! GENERATED A NEW SECRET: saved with mode 0600; back it up, and keep it out of version control and off shared disks !!!", "file", p)
	}
	e.secrets = s
	if e.infra, err = openInfra(ctx, os.Getenv("DATABASE_URL"), os.Getenv("REDIS_URL"), log); err != nil {
		return nil, err
	}
	if e.infra.db != nil {
		e.db = e.infra.db
	} else if e.db, err = openSQLite(ctx, filepath.Join(e.dir, "app.db")); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *env) Close() { e.db.Close(); e.infra.Close() }

func run(log *slog.Logger) error {
	start := time.Now()
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	e, err := openEnv(ctx, log)
	if err != nil {
		return err
	}
	defer e.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	public := os.Getenv("PUBLIC_URL")
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	a, err := newApp(appConfig{
		Log: log, DB: e.db, Secrets: e.secrets, DataDir: e.dir, PublicURL: public,
		Local:        isLoopback(ln.Addr()),
		SessionStore: e.infra.sessions, RateStore: e.infra.rate, TokenStore: e.infra.tokens, NonceStore: e.infra.nonces,
		TOTPReplay: e.infra.totpReplay, TOTPAttempt: e.infra.totpAttempt,
	})
	if err != nil {
		return err
	}
	if e.db.rlsBypassed {
		log.Warn("!!! DATABASE_URL connects as a superuser or BYPASSRLS role: row-level security is NOT enforced; connect as an ordinary role that owns the tables !!!")
	}
	if err := seedDemo(ctx, a, log); err != nil {
		return err
	}
	handler, err := a.handler()
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	log.Info("Bulwark reference app listening", "url", public, "data", e.dir, "database", e.infra.describeDB(), "stores", e.infra.describeStores(),
		"startup", time.Since(start).Round(time.Millisecond))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests, then the audit queue")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	if cerr := a.Close(shutdownCtx); cerr != nil {
		log.Error("audit log did not drain", "err", cerr)
		err = errors.Join(err, cerr)
	} else {
		log.Info("audit log drained")
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func isLoopback(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}
