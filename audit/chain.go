package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"sync"

	"github.com/bulwark-go/bulwark/internal/opaque"
)

// ErrChainBroken is returned by [ChainSink.Write] after a write to the
// underlying writer failed part-way: the log now ends in a partial line,
// and appending more records would hide where. The sink refuses further
// writes; an operator must inspect the log (Verify reports the partial
// line) and start a new segment with ChainConfig.Resume.
var ErrChainBroken = errors.New("audit: chain log broken by a failed write")

// ChainConfig configures a [ChainSink].
type ChainConfig struct {
	// Writer receives the records, one line per Write call. Required.
	// Open files with O_APPEND. For throughput wrap it in a bufio.Writer
	// and call Flush; for durability the sink's Flush also calls Sync on
	// writers that have it.
	Writer io.Writer

	// Key MACs new records and signs checkpoints. Required. Rotate it with
	// [ChainSink.Rotate]; keep the old keys for verification.
	Key Key

	// Resume continues an existing chain: the first record written gets
	// sequence number Resume.Seq+1 and is chained to Resume.MAC. Use the
	// Checkpoint returned by Verify on the existing log (appending to the
	// same file after a restart), or the last checkpoint of the previous
	// file (starting a new segment; verify it with VerifyConfig.From). The
	// checkpoint is trusted as given: check stored ones with
	// [VerifyCheckpoint] first. Default: a new chain starting at 1.
	Resume *Checkpoint

	// CheckpointEvery, when positive together with OnCheckpoint, calls
	// OnCheckpoint with a signed checkpoint after every CheckpointEvery
	// records. Default 0: never (call [ChainSink.Checkpoint] yourself).
	CheckpointEvery int

	// OnCheckpoint receives periodic checkpoints, synchronously inside Write
	// (under the sink's lock, so it must not call the sink's methods): hand
	// them to a queue if storing is slow.
	OnCheckpoint func(Checkpoint)
}

// ChainSink writes a tamper-evident log: JSON lines of the form
//
//	{"seq":N,"kid":"K","event":{…},"mac":"<64 hex digits>"}
//
// where event is the canonical [AppendJSON] encoding and mac is
//
//	HMAC-SHA256(key K, "bulwark/audit/chain/v1\x00" ‖ previous MAC ‖ every byte of the line before `,"mac"`)
//
// with a previous MAC of 32 zero bytes for record 1. Each MAC covers the
// sequence number, the key ID and the exact event bytes, and the previous
// MAC, so [Verify] detects any edit, deletion, insertion or reordering of
// records; a [Checkpoint] stored elsewhere also detects truncation.
//
// Create one with [NewChain]; the zero value is not usable. It is safe for
// concurrent use; writes are serialized.
type ChainSink struct {
	mu      sync.Mutex
	w       io.Writer
	key     Key
	mac     opaque.Box[hash.Hash] // boxed: an HMAC's state holds the key
	seq     uint64
	prev    [32]byte
	hdr     [len(chainLabel) + 32]byte // chainLabel (set once) ‖ prev, the MAC prefix
	sum     [32]byte
	buf     []byte
	broken  bool
	every   uint64
	onCheck func(Checkpoint)
}

var (
	_ Sink    = (*ChainSink)(nil)
	_ Flusher = (*ChainSink)(nil)
)

// NewChain validates cfg and returns a ChainSink.
func NewChain(cfg ChainConfig) (*ChainSink, error) {
	if cfg.Writer == nil {
		return nil, errors.New("audit: ChainConfig.Writer is required")
	}
	if !cfg.Key.valid() {
		return nil, errors.New("audit: ChainConfig.Key is required (see NewKey)")
	}
	if cfg.CheckpointEvery < 0 {
		return nil, errors.New("audit: ChainConfig.CheckpointEvery must not be negative")
	}
	c := &ChainSink{
		w:       cfg.Writer,
		key:     cfg.Key,
		mac:     opaque.New(hmac.New(sha256.New, cfg.Key.bytes())),
		buf:     make([]byte, 0, 1024),
		onCheck: cfg.OnCheckpoint,
	}
	copy(c.hdr[:], chainLabel)
	if cfg.OnCheckpoint != nil {
		c.every = uint64(cfg.CheckpointEvery)
	}
	if cfg.Resume != nil {
		c.seq, c.prev = cfg.Resume.Seq, cfg.Resume.MAC
	}
	return c, nil
}

// Write appends e as the next record. If the writer fails before writing
// anything, the chain is unchanged and Write may be retried; a partial
// write breaks the chain ([ErrChainBroken]).
func (c *ChainSink) Write(_ context.Context, e Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken {
		return ErrChainBroken
	}
	seq := c.seq + 1
	b := append(c.buf[:0], `{"seq":`...)
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, `,"kid":"`...)
	b = append(b, c.key.id...)
	b = append(b, `","event":`...)
	b = AppendJSON(b, e)
	mac := *c.mac.Get()
	mac.Reset()
	copy(c.hdr[len(chainLabel):], c.prev[:])
	mac.Write(c.hdr[:])
	mac.Write(b)
	mac.Sum(c.sum[:0])
	b = append(b, `,"mac":"`...)
	b = hex.AppendEncode(b, c.sum[:])
	b = append(b, "\"}\n"...)
	if cap(b) <= maxRetainedBuf {
		c.buf = b
	}
	n, err := c.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n == 0 {
			return fmt.Errorf("audit: chain write: %w", err)
		}
		c.broken = true
		return fmt.Errorf("%w: %w", ErrChainBroken, err)
	}
	c.seq, c.prev = seq, c.sum
	if c.every > 0 && seq%c.every == 0 {
		c.onCheck(signCheckpoint(c.key, c.seq, c.prev))
	}
	return nil
}

// Checkpoint returns a checkpoint of the records written so far, signed
// with the current key.
func (c *ChainSink) Checkpoint() Checkpoint {
	c.mu.Lock()
	defer c.mu.Unlock()
	return signCheckpoint(c.key, c.seq, c.prev)
}

// Rotate makes k the key for subsequent records and checkpoints. The chain
// continues unbroken: the first record under k is chained to the last
// record under the old key. Verifiers need both keys, listed in rotation
// order (VerifyConfig.Keys). The new key must have a new ID.
func (c *ChainSink) Rotate(k Key) error {
	if !k.valid() {
		return errors.New("audit: Rotate: invalid key (see NewKey)")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if k.id == c.key.id {
		return errors.New("audit: Rotate: the new key must have a new ID")
	}
	c.key = k
	c.mac = opaque.New(hmac.New(sha256.New, k.bytes()))
	return nil
}

// Flush calls Flush and then Sync on the writer when it has those methods.
func (c *ChainSink) Flush(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return flushWriter(c.w)
}
