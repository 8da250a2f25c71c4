package audit

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Reasons a chain fails verification, wrapped in a [*VerifyError]. Every
// VerifyError also matches [ErrTampered] with errors.Is.
var (
	// ErrTampered matches every *VerifyError.
	ErrTampered = errors.New("audit: chain log tampered")
	// ErrMalformed: the line is not a record as ChainSink writes them
	// (edited by hand, partially written, or not a chain log).
	ErrMalformed = errors.New("audit: malformed chain record")
	// ErrSequence: the record's sequence number is not the next one
	// (a record was deleted, inserted, duplicated or moved).
	ErrSequence = errors.New("audit: chain sequence number out of order")
	// ErrBadMAC: the record or one before it was altered.
	ErrBadMAC = errors.New("audit: chain record MAC mismatch")
	// ErrUnknownKey: the record names a key ID not among the keys given.
	ErrUnknownKey = errors.New("audit: chain record uses an unknown key")
	// ErrKeyRollback: the record uses a key older than an earlier record's.
	ErrKeyRollback = errors.New("audit: chain record uses a retired key")
	// ErrTruncated: the log ends before the expected checkpoint.
	ErrTruncated = errors.New("audit: chain log truncated before checkpoint")
	// ErrCheckpointMismatch: the record at the checkpoint's sequence number
	// is not the one the checkpoint committed to.
	ErrCheckpointMismatch = errors.New("audit: chain log does not match checkpoint")
)

// VerifyError reports the first record that breaks the chain.
type VerifyError struct {
	Line int    // 1-based line number in the input
	Seq  uint64 // sequence number expected at that line
	Err  error  // the reason: ErrMalformed, ErrSequence, ErrBadMAC, …
}

// Error describes the first broken line. It names no key material.
func (e *VerifyError) Error() string {
	return fmt.Sprintf("audit: chain broken at line %d (expected seq %d): %v", e.Line, e.Seq, e.Err)
}

// Unwrap returns the reason.
func (e *VerifyError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrTampered].
func (e *VerifyError) Is(target error) bool { return target == ErrTampered }

// VerifyConfig says how to verify a chain log.
type VerifyConfig struct {
	// Keys are every key the log may use, in rotation order, oldest
	// first. A record may not use a key older than the previous record's
	// (so a leaked retired key cannot be used to append). Required.
	Keys []Key

	// From is where this log segment starts: the checkpoint of the last
	// record of the previous segment (its signature is checked). Default:
	// the start of a chain (sequence 1, zero previous MAC).
	From *Checkpoint

	// Expect is a checkpoint stored elsewhere. Its signature is checked,
	// and the log must contain the record it names with the same MAC: a log
	// ending earlier fails with [ErrTruncated]. Records after it are fine
	// (the log grew) if they use the checkpoint's key or a newer one.
	// Default: none, so truncation of the tail goes undetected.
	Expect *Checkpoint

	// MaxLineBytes bounds a record's length (default 1 MiB); longer lines
	// fail as malformed instead of exhausting memory.
	MaxLineBytes int

	// OnRecord, when set, is called for each record once its MAC has been
	// checked, with its sequence number and the exact JSON of its event
	// (decode it with encoding/json into an [Event]; the slice is valid
	// only during the call). Use it to export or index a log while
	// verifying it, but trust what it saw only if Verify returns nil: a
	// later record may still fail. An error from OnRecord stops Verify and
	// is returned as is. Default: none.
	OnRecord func(seq uint64, event []byte) error
}

// Verify checks a chain log written with a single key from its first
// record. It is shorthand for VerifyConfig{Keys: []Key{key}}.Verify(r).
func Verify(r io.Reader, key Key) (Checkpoint, error) {
	return VerifyConfig{Keys: []Key{key}}.Verify(r)
}

// Verify reads the log from r and checks every record. On success it
// returns a checkpoint of the last record, signed with that record's key
// (store it, or pass it as ChainConfig.Resume). On failure the error is a
// [*VerifyError] naming the first broken line, or [ErrBadCheckpoint] for an
// invalid From/Expect, or an I/O error from r.
func (cfg VerifyConfig) Verify(r io.Reader) (Checkpoint, error) {
	if len(cfg.Keys) == 0 {
		return Checkpoint{}, errors.New("audit: VerifyConfig.Keys is required")
	}
	macs := make(map[string]hash.Hash, len(cfg.Keys))
	rank := make(map[string]int, len(cfg.Keys))
	for i, k := range cfg.Keys {
		if !k.valid() {
			return Checkpoint{}, fmt.Errorf("audit: VerifyConfig.Keys[%d] is invalid (see NewKey)", i)
		}
		if _, dup := rank[k.id]; dup {
			return Checkpoint{}, fmt.Errorf("audit: VerifyConfig.Keys has key ID %q twice", k.id)
		}
		macs[k.id] = hmac.New(sha256.New, k.bytes())
		rank[k.id] = i
	}
	var seq uint64
	var prev [32]byte
	lastKey := cfg.Keys[len(cfg.Keys)-1]
	minRank := 0
	if cfg.From != nil {
		if err := cfg.From.verify(cfg.Keys); err != nil {
			return Checkpoint{}, fmt.Errorf("%w: VerifyConfig.From", err)
		}
		seq, prev = cfg.From.Seq, cfg.From.MAC
		minRank = rank[cfg.From.KeyID]
		lastKey = cfg.Keys[minRank]
	}
	if cfg.Expect != nil {
		if err := cfg.Expect.verify(cfg.Keys); err != nil {
			return Checkpoint{}, fmt.Errorf("%w: VerifyConfig.Expect", err)
		}
		if cfg.Expect.Seq < seq || (cfg.Expect.Seq == seq && cfg.Expect.MAC != prev) {
			return Checkpoint{}, fmt.Errorf("%w: VerifyConfig.Expect precedes or contradicts VerifyConfig.From", ErrBadCheckpoint)
		}
		if cfg.Expect.Seq == seq {
			minRank = max(minRank, rank[cfg.Expect.KeyID])
		}
	}
	maxLine := cfg.MaxLineBytes
	if maxLine <= 0 {
		maxLine = 1 << 20
	}

	br := bufio.NewReaderSize(r, min(maxLine, 64<<10))
	var sum [32]byte
	hdr := make([]byte, len(chainLabel)+32)
	copy(hdr, chainLabel)
	line := 0
	for {
		raw, err := readLine(br, maxLine)
		if err == io.EOF {
			break
		}
		line++
		fail := func(reason error) (Checkpoint, error) {
			return Checkpoint{}, &VerifyError{Line: line, Seq: seq + 1, Err: reason}
		}
		if err != nil {
			if errors.Is(err, errLineTooLong) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fail(fmt.Errorf("%w: %w", ErrMalformed, err))
			}
			return Checkpoint{}, err
		}
		rec, ok := parseRecord(raw)
		if !ok {
			return fail(ErrMalformed)
		}
		if rec.seq != seq+1 {
			return fail(fmt.Errorf("%w: found %d", ErrSequence, rec.seq))
		}
		h, ok := macs[string(rec.kid)]
		if !ok {
			return fail(ErrUnknownKey)
		}
		kr := rank[string(rec.kid)]
		if kr < minRank {
			return fail(ErrKeyRollback)
		}
		h.Reset()
		copy(hdr[len(chainLabel):], prev[:])
		h.Write(hdr)
		h.Write(rec.body)
		h.Sum(sum[:0])
		if !hmac.Equal(sum[:], rec.mac[:]) {
			return fail(ErrBadMAC)
		}
		seq, prev, minRank, lastKey = rec.seq, sum, kr, cfg.Keys[kr]
		if cfg.Expect != nil && seq == cfg.Expect.Seq {
			if prev != cfg.Expect.MAC {
				return fail(ErrCheckpointMismatch)
			}
			// The sink signs checkpoints with its current key, so every
			// later record uses that key or a newer one: a record after a
			// checkpoint taken right after a rotation cannot be forged
			// with the retired key.
			minRank = max(minRank, rank[cfg.Expect.KeyID])
		}
		if cfg.OnRecord != nil {
			if err := cfg.OnRecord(seq, rec.event); err != nil {
				return Checkpoint{}, err
			}
		}
	}
	if cfg.Expect != nil && seq < cfg.Expect.Seq {
		return Checkpoint{}, &VerifyError{Line: line + 1, Seq: seq + 1, Err: ErrTruncated}
	}
	return signCheckpoint(lastKey, seq, prev), nil
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its '\n'. A final line without
// '\n' (a partial write) is io.ErrUnexpectedEOF; a line longer than max is
// errLineTooLong.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(long)+len(chunk) > max+1 {
			return nil, errLineTooLong
		}
		switch err {
		case nil:
			if long != nil {
				chunk = append(long, chunk...)
			}
			return chunk[:len(chunk)-1], nil
		case bufio.ErrBufferFull:
			long = append(long, chunk...)
		case io.EOF:
			if len(long)+len(chunk) == 0 {
				return nil, io.EOF
			}
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}

type record struct {
	seq   uint64
	kid   []byte
	body  []byte // the MACed bytes: the line up to the mac field
	event []byte // the event's JSON, inside body
	mac   [32]byte
}

const (
	recSeqPrefix = `{"seq":`
	recKidPrefix = `,"kid":"`
	recEvtPrefix = `","event":`
	recMacPrefix = `,"mac":"`
	recMacSuffix = `"}`
	recMacLen    = len(recMacPrefix) + 64 + len(recMacSuffix)
)

// parseRecord parses one line strictly in the form ChainSink writes.
func parseRecord(line []byte) (record, bool) {
	var rec record
	if len(line) < len(recSeqPrefix)+1+len(recKidPrefix)+1+len(recEvtPrefix)+2+recMacLen {
		return rec, false
	}
	body, tail := line[:len(line)-recMacLen], line[len(line)-recMacLen:]
	if !bytes.HasPrefix(tail, []byte(recMacPrefix)) || !bytes.HasSuffix(tail, []byte(recMacSuffix)) {
		return rec, false
	}
	if !decodeHex32(&rec.mac, tail[len(recMacPrefix):len(recMacPrefix)+64]) {
		return rec, false
	}
	rest, ok := bytes.CutPrefix(body, []byte(recSeqPrefix))
	if !ok {
		return rec, false
	}
	i := bytes.IndexByte(rest, ',')
	if i < 0 {
		return rec, false
	}
	if rec.seq, ok = parseSeq(string(rest[:i]), false); !ok {
		return rec, false
	}
	if rest, ok = bytes.CutPrefix(rest[i:], []byte(recKidPrefix)); !ok {
		return rec, false
	}
	i = bytes.IndexByte(rest, '"')
	if i < 0 || !validKeyID(string(rest[:i])) {
		return rec, false
	}
	rec.kid = rest[:i]
	if rest, ok = bytes.CutPrefix(rest[i:], []byte(recEvtPrefix)); !ok {
		return rec, false
	}
	if len(rest) < 2 || rest[0] != '{' || rest[len(rest)-1] != '}' {
		return rec, false
	}
	rec.body, rec.event = body, rest
	return rec, true
}
