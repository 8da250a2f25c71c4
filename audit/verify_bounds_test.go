package audit

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// endless yields the same byte forever and counts what was read.
type endless struct {
	b    byte
	read int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.b
	}
	e.read += len(p)
	if e.read > 64<<20 {
		return 0, errors.New("test: read more than 64 MiB")
	}
	return len(p), nil
}

// A log that is one endless line (a hostile or corrupt file, /dev/zero)
// fails as malformed after about MaxLineBytes, without reading on.
func TestVerifyStopsAtTheLineBound(t *testing.T) {
	for _, max := range []int{0, 4096} {
		r := &endless{b: 'x'}
		_, err := VerifyConfig{Keys: []Key{key1}, MaxLineBytes: max}.Verify(r)
		var ve *VerifyError
		require.ErrorAs(t, err, &ve)
		require.ErrorIs(t, err, ErrMalformed)
		require.Equal(t, 1, ve.Line)
		limit := max
		if limit == 0 {
			limit = 1 << 20
		}
		require.LessOrEqual(t, r.read, limit+128<<10, "Verify read %d bytes for a %d-byte bound", r.read, limit)
	}
}

// Checkpoints and request IDs from outside are bounded too.
func TestParsersRejectHugeInputs(t *testing.T) {
	huge := make([]byte, 1<<20)
	for i := range huge {
		huge[i] = 'a'
	}
	_, err := ParseCheckpoint("v1:1:k1:" + string(huge))
	require.ErrorIs(t, err, ErrBadCheckpoint)
	require.False(t, ValidRequestID(string(huge), maxMaxIDLength))
}
