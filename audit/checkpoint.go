package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Domain-separation labels: the same key MACs records and signs
// checkpoints, so the two inputs must never be confusable.
const (
	chainLabel      = "bulwark/audit/chain/v1\x00"
	checkpointLabel = "bulwark/audit/checkpoint/v1\x00"
	checkpointText  = "v1"
)

// ErrBadCheckpoint is returned for a checkpoint that cannot be parsed or
// whose signature does not verify under the given keys.
var ErrBadCheckpoint = errors.New("audit: invalid checkpoint")

// Checkpoint commits to a chain's state after its last record: the
// sequence number and the MAC of that record, signed (HMAC) with a chain
// key. Store checkpoints somewhere the log's writer cannot rewrite (another
// database, an object store with retention, a ticket, a colleague's
// inbox); verifying the log against one (VerifyConfig.Expect) detects
// truncation of the tail, which a hash chain alone cannot.
//
// The signature is what makes a stored checkpoint trustworthy: without it,
// someone who truncated the log could write a checkpoint naming the new
// last record (whose MAC is in the log for anyone to read). It does not
// stop them from replacing the stored checkpoint with an older genuine one;
// keep checkpoint storage append-only.
//
// A Checkpoint is public data. Its text form (MarshalText) is
// "v1:<seq>:<key id>:<mac hex>:<signature hex>".
type Checkpoint struct {
	Seq   uint64   // sequence number of the last record; 0 for an empty chain
	MAC   [32]byte // MAC of that record; zero for an empty chain
	KeyID string   // ID of the key that signed the checkpoint
	Sig   [32]byte // HMAC-SHA256 over Seq, MAC and KeyID
}

// signCheckpoint returns the checkpoint for (seq, mac) signed with k.
func signCheckpoint(k Key, seq uint64, mac [32]byte) Checkpoint {
	c := Checkpoint{Seq: seq, MAC: mac, KeyID: k.id}
	copy(c.Sig[:], c.sign(k))
	return c
}

func (c Checkpoint) sign(k Key) []byte {
	h := hmac.New(sha256.New, k.bytes())
	h.Write([]byte(checkpointLabel))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], c.Seq)
	h.Write(seq[:])
	h.Write(c.MAC[:])
	h.Write([]byte(c.KeyID))
	return h.Sum(nil)
}

// verify checks the signature with the key named by KeyID among keys.
func (c Checkpoint) verify(keys []Key) error {
	for _, k := range keys {
		if k.id == c.KeyID {
			if hmac.Equal(c.sign(k), c.Sig[:]) {
				return nil
			}
			break
		}
	}
	return ErrBadCheckpoint
}

// VerifyCheckpoint checks c's signature against keys (matched by ID). Use
// it on a checkpoint read from storage before passing it as
// ChainConfig.Resume.
func VerifyCheckpoint(c Checkpoint, keys ...Key) error { return c.verify(keys) }

// MarshalText returns the text form.
func (c Checkpoint) MarshalText() ([]byte, error) {
	b := make([]byte, 0, 3+20+1+len(c.KeyID)+1+64+1+64)
	b = append(b, checkpointText+":"...)
	b = strconv.AppendUint(b, c.Seq, 10)
	b = append(b, ':')
	b = append(b, c.KeyID...)
	b = append(b, ':')
	b = hex.AppendEncode(b, c.MAC[:])
	b = append(b, ':')
	b = hex.AppendEncode(b, c.Sig[:])
	return b, nil
}

// String returns the text form.
func (c Checkpoint) String() string {
	b, _ := c.MarshalText()
	return string(b)
}

// UnmarshalText parses the text form. It checks syntax only; verify the
// signature with [VerifyCheckpoint] or VerifyConfig.
func (c *Checkpoint) UnmarshalText(b []byte) error {
	p, err := ParseCheckpoint(string(b))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// ParseCheckpoint parses the text form of a Checkpoint (syntax only).
func ParseCheckpoint(s string) (Checkpoint, error) {
	var c Checkpoint
	if len(s) > 256 {
		return c, fmt.Errorf("%w: too long", ErrBadCheckpoint)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 5 || parts[0] != checkpointText {
		return c, fmt.Errorf("%w: want v1:<seq>:<key id>:<mac>:<sig>", ErrBadCheckpoint)
	}
	seq, ok := parseSeq(parts[1], true)
	if !ok {
		return c, fmt.Errorf("%w: bad sequence number", ErrBadCheckpoint)
	}
	if !validKeyID(parts[2]) {
		return c, fmt.Errorf("%w: bad key ID", ErrBadCheckpoint)
	}
	if !decodeHex32(&c.MAC, []byte(parts[3])) || !decodeHex32(&c.Sig, []byte(parts[4])) {
		return c, fmt.Errorf("%w: bad hex", ErrBadCheckpoint)
	}
	c.Seq, c.KeyID = seq, parts[2]
	return c, nil
}

// parseSeq parses a canonical decimal uint64: no sign, no leading zeros,
// zero allowed only when allowZero.
func parseSeq(s string, allowZero bool) (uint64, bool) {
	if s == "" || len(s) > 20 || (s[0] == '0' && (len(s) > 1 || !allowZero)) {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// decodeHex32 decodes exactly 64 lower-case hex digits (the canonical form
// written by this package) into dst.
func decodeHex32(dst *[32]byte, s []byte) bool {
	if len(s) != 64 {
		return false
	}
	for i := range dst {
		hi, ok1 := lowerHexValue(s[2*i])
		lo, ok2 := lowerHexValue(s[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func lowerHexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
