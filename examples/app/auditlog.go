package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/bulwark-go/bulwark/audit"
)

// auditLog wires the audit package the way the package documentation
// recommends: Logger (defaults + redaction) -> AsyncSink (requests never
// wait on disk) -> MultiSink of a ChainSink (tamper-evident, HMAC-chained
// JSON lines) and a plain JSONSink (for log shippers). Every record also
// produces a signed checkpoint, appended to a separate file; verifying
// against the latest checkpoint detects a truncated tail.
type auditLog struct {
	log   *audit.Logger
	async *audit.AsyncSink
	http  *audit.HTTP
	key   audit.Key

	chainPath, jsonPath, checkpointPath string
	chainFile, jsonFile, cpFile         *os.File

	mu         sync.Mutex
	lastCP     audit.Checkpoint
	haveCP     bool
	startupErr error // why the existing chain was moved aside at start-up, if it was
}

func openAuditLog(dir string, keySecret []byte, log *slog.Logger) (*auditLog, error) {
	key, err := audit.NewKey("app1", keySecret)
	if err != nil {
		return nil, err
	}
	l := &auditLog{key: key,
		chainPath:      filepath.Join(dir, "audit.chain.jsonl"),
		jsonPath:       filepath.Join(dir, "audit.jsonl"),
		checkpointPath: filepath.Join(dir, "audit.checkpoints"),
	}
	if l.http, err = audit.NewHTTP(audit.HTTPConfig{}); err != nil {
		return nil, err
	}

	// Resume the existing chain. A chain that does not verify is moved
	// aside (never appended to, never deleted) and a new one started.
	var resume *audit.Checkpoint
	if f, err := os.Open(l.chainPath); err == nil {
		cfg := audit.VerifyConfig{Keys: []audit.Key{key}}
		if cp, ok := l.readLastCheckpoint(); ok {
			cfg.Expect = &cp
		}
		cp, verr := cfg.Verify(f)
		f.Close()
		if verr != nil {
			aside := l.chainPath + ".broken"
			log.Error("AUDIT CHAIN DOES NOT VERIFY: moved aside, starting a new chain", "file", aside, "err", verr)
			if err := os.Rename(l.chainPath, aside); err != nil {
				return nil, err
			}
			os.Rename(l.checkpointPath, l.checkpointPath+".broken")
			l.startupErr = verr
		} else if cp.Seq > 0 {
			resume = &cp
			l.lastCP, l.haveCP = cp, true
		}
	}

	open := func(p string) (*os.File, error) {
		return os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	}
	if l.chainFile, err = open(l.chainPath); err != nil {
		return nil, err
	}
	if l.jsonFile, err = open(l.jsonPath); err != nil {
		return nil, err
	}
	if l.cpFile, err = open(l.checkpointPath); err != nil {
		return nil, err
	}
	chain, err := audit.NewChain(audit.ChainConfig{
		Writer: l.chainFile, Key: key, Resume: resume, CheckpointEvery: 1,
		OnCheckpoint: func(cp audit.Checkpoint) {
			// Synchronous inside the chain's lock, on the async writer's
			// goroutine: requests never wait for it.
			fmt.Fprintln(l.cpFile, cp.String())
			l.mu.Lock()
			l.lastCP, l.haveCP = cp, true
			l.mu.Unlock()
		},
	})
	if err != nil {
		return nil, err
	}
	l.async, err = audit.NewAsync(audit.AsyncConfig{
		Sink: audit.NewMulti(chain, audit.NewJSONSink(l.jsonFile)),
		OnDrop: func(e audit.Event, total uint64) {
			log.Error("audit event dropped", "action", e.Action, "total_dropped", total)
		},
		OnError: func(e audit.Event, err error) {
			log.Error("audit sink failed", "action", e.Action, "err", err)
		},
	})
	if err != nil {
		return nil, err
	}
	if l.log, err = audit.New(audit.Config{Sink: l.async}); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *auditLog) readLastCheckpoint() (audit.Checkpoint, bool) {
	b, err := os.ReadFile(l.checkpointPath)
	if err != nil {
		return audit.Checkpoint{}, false
	}
	lines := strings.Fields(string(b))
	if len(lines) == 0 {
		return audit.Checkpoint{}, false
	}
	cp, err := audit.ParseCheckpoint(lines[len(lines)-1])
	if err != nil || audit.VerifyCheckpoint(cp, l.key) != nil {
		return audit.Checkpoint{}, false
	}
	return cp, true
}

// Close drains the queue into the files, then closes them.
func (l *auditLog) Close(ctx context.Context) error {
	err := l.async.Close(ctx)
	return errors.Join(err, l.chainFile.Close(), l.jsonFile.Close(), l.cpFile.Close())
}

// auditQuery filters the events shown on an org's audit page.
type auditQuery struct {
	OrgID   string
	Action  string // prefix, e.g. "auth." or "member.role_changed"
	Outcome string
	UserID  string // the actor, or the user or member acted upon
	Limit   int
}

func (q auditQuery) match(e audit.Event) bool {
	return e.OrgID == q.OrgID &&
		(q.Action == "" || strings.HasPrefix(e.Action, q.Action)) &&
		(q.Outcome == "" || string(e.Outcome) == q.Outcome) &&
		(q.UserID == "" || e.Actor.UserID == q.UserID || (e.Target.ID == q.UserID && (e.Target.Type == "user" || e.Target.Type == "member")))
}

// auditResult is what the audit page shows: the matching events (newest
// first) and whether the whole chain verified.
type auditResult struct {
	Events   []audit.Event
	Lines    [][]byte // the exact event JSON, for export
	Verified bool
	Records  uint64
	Problem  string
}

// query flushes pending events, then reads and verifies the whole chain,
// collecting the org's events. Verification covers every record, not only
// the org's, since the chain is one sequence.
func (l *auditLog) query(ctx context.Context, q auditQuery) (auditResult, error) {
	if err := l.async.Flush(ctx); err != nil {
		return auditResult{}, err
	}
	f, err := os.Open(l.chainPath)
	if err != nil {
		return auditResult{}, err
	}
	defer f.Close()
	var res auditResult
	cfg := audit.VerifyConfig{Keys: []audit.Key{l.key}, OnRecord: func(seq uint64, raw []byte) error {
		var e audit.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		if q.match(e) {
			res.Events = append(res.Events, e)
			res.Lines = append(res.Lines, bytes.Clone(raw))
		}
		return nil
	}}
	l.mu.Lock()
	if l.haveCP {
		cp := l.lastCP
		cfg.Expect = &cp
	}
	l.mu.Unlock()
	cp, verr := cfg.Verify(bufio.NewReader(f))
	if verr == nil {
		res.Verified, res.Records = true, cp.Seq
	} else {
		res.Problem = verr.Error()
	}
	if l.startupErr != nil && res.Verified {
		res.Problem = "an earlier chain failed verification at start-up and was moved aside: " + l.startupErr.Error()
	}
	// Newest first, bounded.
	slices.Reverse(res.Events)
	slices.Reverse(res.Lines)
	if q.Limit > 0 && len(res.Events) > q.Limit {
		res.Events, res.Lines = res.Events[:q.Limit], res.Lines[:q.Limit]
	}
	return res, nil
}
