package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/bulwark-go/bulwark/audit"
)

func ExampleNewJSONSink() {
	log, err := audit.New(audit.Config{
		Sink: audit.NewJSONSink(os.Stdout),
		Now:  func() time.Time { return time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	err = log.Log(context.Background(), audit.Event{
		Action:   audit.ActionIntegrationTokenRotated,
		Outcome:  audit.Success,
		Actor:    audit.Actor{UserID: "u_1", IP: "203.0.113.7"},
		OrgID:    "org_42",
		Target:   audit.Target{Type: "integration", ID: "jira"},
		Metadata: map[string]string{"api_token": "ATATT3xFfGF0", "site": "example.atlassian.net"},
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// {"time":"2026-03-16T09:30:00.000000000Z","action":"integration.token_rotated","outcome":"success","severity":"info","actor":{"user_id":"u_1","ip":"203.0.113.7"},"org_id":"org_42","target":{"type":"integration","id":"jira"},"metadata":{"api_token":"[REDACTED]","site":"example.atlassian.net"}}
}

func ExampleVerify() {
	// In production the secret comes from a secret store, never from the
	// log's own storage.
	key := audit.MustKey("2026-03", bytes.Repeat([]byte{0x42}, 32))

	var file bytes.Buffer // an append-only file in production
	chain, err := audit.NewChain(audit.ChainConfig{Writer: &file, Key: key})
	if err != nil {
		panic(err)
	}
	for _, user := range []string{"u_1", "u_2", "u_3"} {
		_ = chain.Write(context.Background(), audit.Event{
			Time:   time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC),
			Action: audit.ActionMemberRemoved, Target: audit.Target{Type: "member", ID: user},
		})
	}
	checkpoint := chain.Checkpoint() // store it somewhere else

	cp, err := audit.Verify(bytes.NewReader(file.Bytes()), key)
	fmt.Println("intact log verified up to seq", cp.Seq, err)

	// Someone edits the second record...
	edited := strings.Replace(file.String(), `"id":"u_2"`, `"id":"u_9"`, 1)
	_, err = audit.Verify(strings.NewReader(edited), key)
	var ve *audit.VerifyError
	if errors.As(err, &ve) {
		fmt.Println("edited log: line", ve.Line, errors.Is(err, audit.ErrBadMAC))
	}

	// ...or cuts off the last one: only the checkpoint can tell.
	lines := strings.SplitAfter(file.String(), "\n")
	truncated := strings.Join(lines[:2], "")
	_, err = audit.VerifyConfig{Keys: []audit.Key{key}, Expect: &checkpoint}.Verify(strings.NewReader(truncated))
	fmt.Println("truncated log:", errors.Is(err, audit.ErrTruncated))
	// Output:
	// intact log verified up to seq 3 <nil>
	// edited log: line 2 true
	// truncated log: true
}

func ExampleHTTP_Middleware() {
	ids, err := audit.NewHTTP(audit.HTTPConfig{
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	if err != nil {
		panic(err)
	}
	mem := audit.NewMemorySink(10)
	log, _ := audit.New(audit.Config{Sink: mem})

	handler := ids.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := audit.Event{Action: audit.ActionLoginFailed, Outcome: audit.Failure, Severity: audit.SeverityMedium}
		ids.Fill(&e, r)
		_ = log.Log(r.Context(), e)
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
	}))

	// A request relayed by our load balancer keeps its edge request ID...
	r := httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "10.0.0.5:40000"
	r.Header.Set("X-Forwarded-For", "198.51.100.23")
	r.Header.Set("X-Request-ID", "edge-7f3a")
	handler.ServeHTTP(httptest.NewRecorder(), r)

	// ...a client talking to us directly cannot choose one.
	r = httptest.NewRequest("POST", "/login", nil)
	r.RemoteAddr = "203.0.113.9:50000"
	r.Header.Set("X-Request-ID", "edge-7f3a")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)

	for _, e := range mem.Events() {
		fmt.Println(e.Actor.IP, e.RequestID == "edge-7f3a")
	}
	fmt.Println(w.Header().Get("X-Request-ID") == mem.Events()[1].RequestID)
	// Output:
	// 198.51.100.23 true
	// 203.0.113.9 false
	// true
}

func ExampleNewAsync() {
	file := audit.NewJSONSink(os.Stdout)
	async, err := audit.NewAsync(audit.AsyncConfig{
		Sink:      file,
		QueueSize: 1024,
		OnDrop: func(e audit.Event, total uint64) {
			// Alert: audit events are being lost.
		},
	})
	if err != nil {
		panic(err)
	}
	log, _ := audit.New(audit.Config{Sink: async})
	_ = log.Log(context.Background(), audit.Event{
		Time:   time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC),
		Action: audit.ActionLogout, Outcome: audit.Success,
	})
	// At shutdown: every accepted event is written before Close returns nil.
	if err := async.Close(context.Background()); err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", async.Stats())
	// Output:
	// {"time":"2026-03-16T09:30:00.000000000Z","action":"auth.logout","outcome":"success","severity":"info"}
	// {Accepted:1 Written:1 Failed:0 Dropped:0 Queued:0}
}

func ExampleRedactURL() {
	fmt.Println(audit.RedactURL("https://app.example/oauth/callback?code=4/0AX4&state=xyz"))
	fmt.Println(audit.RedactURL("https://app.example/reset?token=9f8e7d&lang=en"))
	// Output:
	// https://app.example/oauth/callback?state=xyz
	// https://app.example/reset?lang=en
}
