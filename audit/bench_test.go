package audit

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchEvent has ten string fields set, like the reference event.
func benchEvent() Event {
	return Event{
		Time:      time.Date(2026, 3, 16, 9, 30, 5, 123456789, time.UTC),
		Action:    ActionMemberRoleChanged,
		Outcome:   Success,
		Severity:  SeverityMedium,
		Actor:     Actor{UserID: "usr_2f9c1a7e", IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"},
		OrgID:     "org_8d41b0",
		Target:    Target{Type: "member", ID: "usr_77aa01"},
		RequestID: "01J9Z6K8W4M2Q7R5T3V1X0Y9ZA",
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	e := benchEvent()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendJSON(buf[:0], e)
	}
}

// BenchmarkLoggerLog measures the Logger's own work on the request path
// (defaults and redaction) in front of a sink that does nothing: without a
// sensitive metadata key, and with one, which costs a copy of the map.
func BenchmarkLoggerLog(b *testing.B) {
	l, err := New(Config{Sink: SinkFunc(func(context.Context, Event) error { return nil })})
	if err != nil {
		b.Fatal(err)
	}
	ctx := WithRequestID(context.Background(), "01J9Z6K8W4M2Q7R5T3V1X0Y9ZA")
	for _, bc := range []struct {
		name     string
		metadata map[string]string
	}{
		{"Clean", map[string]string{"from": "member", "to": "admin"}},
		{"Redacted", map[string]string{"from": "member", "to": "admin", "api_key": "sk_live_secret"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := benchEvent()
			e.RequestID, e.Metadata = "", bc.metadata
			b.ReportAllocs()
			for b.Loop() {
				if err := l.Log(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHTTPMiddleware measures the request-ID middleware, which runs
// on every request: a fresh ID for a request from an untrusted peer.
func BenchmarkHTTPMiddleware(b *testing.B) {
	h, err := NewHTTP(HTTPConfig{})
	if err != nil {
		b.Fatal(err)
	}
	mw := h.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(DefaultRequestIDHeader, "client-chosen")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		mw.ServeHTTP(w, r)
	}
}

func BenchmarkJSONSinkDiscard(b *testing.B) {
	s := NewJSONSink(io.Discard)
	e := benchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Write(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONSinkDiscardWithMetadata(b *testing.B) {
	s := NewJSONSink(io.Discard)
	e := benchEvent()
	e.Metadata = map[string]string{"from": "member", "to": "admin", "via": "settings"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Write(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChainSinkDiscard(b *testing.B) {
	c, err := NewChain(ChainConfig{Writer: io.Discard, Key: MustKey("k1", make([]byte, 32))})
	if err != nil {
		b.Fatal(err)
	}
	e := benchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Write(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	var buf bytes.Buffer
	k := MustKey("k1", make([]byte, 32))
	c, _ := NewChain(ChainConfig{Writer: &buf, Key: k})
	for range 1000 {
		_ = c.Write(context.Background(), benchEvent())
	}
	log := buf.Bytes()
	b.ReportAllocs()
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(log), k); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
}

// BenchmarkAsyncEnqueue measures Write into a queue with room: every 4096
// events the timer stops while the queue drains, so the figure is the cost
// of enqueueing (with the background writer running alongside), not the
// speed of the inner sink.
func BenchmarkAsyncEnqueue(b *testing.B) {
	s, err := NewAsync(AsyncConfig{Sink: SinkFunc(func(context.Context, Event) error { return nil }), QueueSize: 8192})
	if err != nil {
		b.Fatal(err)
	}
	e := benchEvent()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%4096 == 4095 {
			b.StopTimer()
			if err := s.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if err := s.Write(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := s.Close(ctx); err != nil {
		b.Fatal(err)
	}
	if st := s.Stats(); st.Dropped != 0 || st.Written != st.Accepted {
		b.Fatalf("stats %+v", st)
	}
}

// BenchmarkAsyncEnqueueParallel is the same with GOMAXPROCS concurrent
// writers contending for the queue.
func BenchmarkAsyncEnqueueParallel(b *testing.B) {
	s, err := NewAsync(AsyncConfig{Sink: SinkFunc(func(context.Context, Event) error { return nil }), QueueSize: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := benchEvent()
		for pb.Next() {
			if err := s.Write(ctx, e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if err := s.Close(ctx); err != nil {
		b.Fatal(err)
	}
}
