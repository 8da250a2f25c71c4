package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPipeline runs the recommended set-up end to end: a Logger in front of
// an AsyncSink fanning out to a JSON lines file and a chain log, with
// concurrent writers, then checks both outputs.
func TestPipeline(t *testing.T) {
	var jsonOut, chainOut bytes.Buffer
	chain, err := NewChain(ChainConfig{Writer: &chainOut, Key: key1})
	require.NoError(t, err)
	async, err := NewAsync(AsyncConfig{Sink: NewMulti(NewJSONSink(&jsonOut), chain), QueueSize: 8})
	require.NoError(t, err)
	log, err := New(Config{Sink: async})
	require.NoError(t, err)

	const writers, each = 8, 50
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				assert.NoError(t, log.Log(WithRequestID(context.Background(), fmt.Sprintf("r%d-%d", w, i)), Event{
					Action:   ActionAPIKeyCreated,
					Metadata: map[string]string{"api_key": "sk_live_secret", "name": "ci"},
				}))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, async.Close(context.Background()))

	seen := map[string]bool{}
	sc := bufio.NewScanner(&jsonOut)
	for sc.Scan() {
		var e Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		require.Equal(t, Redacted, e.Metadata["api_key"])
		require.Equal(t, "ci", e.Metadata["name"])
		seen[e.RequestID] = true
	}
	require.Len(t, seen, writers*each)
	require.NotContains(t, chainOut.String(), "sk_live_secret")

	n := 0
	cp, err := VerifyConfig{Keys: []Key{key1}, OnRecord: func(uint64, []byte) error { n++; return nil }}.Verify(&chainOut)
	require.NoError(t, err)
	require.Equal(t, uint64(writers*each), cp.Seq)
	require.Equal(t, writers*each, n)
}

func TestConcurrentWritersNeverInterleaveLines(t *testing.T) {
	var jsonOut, chainOut bytes.Buffer
	chain, err := NewChain(ChainConfig{Writer: &chainOut, Key: key1})
	require.NoError(t, err)
	sink := NewMulti(NewJSONSink(&jsonOut), chain)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				e := chainEvent(i)
				e.Reason = fmt.Sprintf("writer %d says %s", w, bytes.Repeat([]byte("x"), 500))
				assert.NoError(t, sink.Write(context.Background(), e))
			}
		}()
	}
	wg.Wait()
	sc := bufio.NewScanner(&jsonOut)
	lines := 0
	for sc.Scan() {
		require.True(t, json.Valid(sc.Bytes()))
		lines++
	}
	require.Equal(t, 800, lines)
	cp, err := Verify(&chainOut, key1)
	require.NoError(t, err)
	require.Equal(t, uint64(800), cp.Seq)
}
