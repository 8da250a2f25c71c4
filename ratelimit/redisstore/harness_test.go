package redisstore_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/bulwark-go/bulwark/internal/testredis"
)

// skipOrFail skips the test, or fails it when CI is set.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	testredis.SkipOrFail(t, format, args...)
}

// sharedRedis returns a client of the shared test Redis (REDIS_URL). Tests
// on it use unique key prefixes and never flush.
func sharedRedis(t *testing.T) *redis.Client {
	t.Helper()
	return testredis.Client(t)
}

// uniquePrefix returns a key prefix used by one test only, and deletes its
// keys when the test ends.
func uniquePrefix(t *testing.T, c *redis.Client) string {
	t.Helper()
	return testredis.Prefix(t, c, "ratelimit")
}

// ownRedis is a redis-server started by a test on a free loopback port,
// so the test may flush, kill and restart it without disturbing others.
type ownRedis struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		skipOrFail(t, "redis-server binary not found: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &ownRedis{t: t, bin: bin, port: port}
	s.start()
	t.Cleanup(s.kill)
	return s
}

func (s *ownRedis) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *ownRedis) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "yes")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.kill()
			s.t.Fatalf("redis-server on %s did not come up: %v", s.Addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill stops the server at once (SIGKILL), as a crash would.
func (s *ownRedis) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// client returns a client for the server that gives up quickly when it is
// down, as a production client with tight timeouts would.
func (s *ownRedis) client() *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr:         s.Addr(),
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  500 * time.Millisecond,
		WriteTimeout: 500 * time.Millisecond,
		MaxRetries:   -1,
	})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// commandCounter is a go-redis hook counting the commands sent, by name.
type commandCounter struct {
	names []string
}

func (h *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.names = append(h.names, cmd.Name())
		return next(ctx, cmd)
	}
}

func (h *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.names = append(h.names, "pipelined "+c.Name())
		}
		return next(ctx, cmds)
	}
}

func (h *commandCounter) reset() { h.names = h.names[:0] }
