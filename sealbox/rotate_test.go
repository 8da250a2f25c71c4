package sealbox

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Three key generations, as a step table: each step installs a ring, seals a
// value under it, and checks what every value sealed so far does under that
// ring.
func TestRotationAcrossThreeGenerations(t *testing.T) {
	k1, _ := newTestKey(t)
	k2, _ := newTestKey(t)
	k3, _ := newTestKey(t)
	aad := AAD("org", "A", "field", "token")

	type step struct {
		name    string
		ring    *Keyring
		seal    string          // plaintext sealed under this ring
		opens   []string        // values (by plaintext) that must open
		rotate  map[string]bool // value -> NeedsRotation
		unknown []string        // values that must fail with ErrUnknownKey
	}
	steps := []step{
		{
			name: "generation 1 alone", ring: newTestRing(t, k1), seal: "v1",
			opens: []string{"v1"}, rotate: map[string]bool{"v1": false},
		},
		{
			name: "generation 2 primary, 1 previous", ring: newTestRing(t, k2, k1), seal: "v2",
			opens: []string{"v1", "v2"}, rotate: map[string]bool{"v1": true, "v2": false},
		},
		{
			name: "generation 3 primary, 2 and 1 previous", ring: newTestRing(t, k3, k2, k1), seal: "v3",
			opens: []string{"v1", "v2", "v3"}, rotate: map[string]bool{"v1": true, "v2": true, "v3": false},
		},
		{
			name: "generation 1 retired", ring: newTestRing(t, k3, k2), seal: "v3b",
			opens: []string{"v2", "v3", "v3b"}, rotate: map[string]bool{"v1": true, "v2": true, "v3": false},
			unknown: []string{"v1"},
		},
	}

	sealed := map[string][]byte{}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			ct, err := st.ring.Seal([]byte(st.seal), aad)
			require.NoError(t, err)
			sealed[st.seal] = ct
			for _, v := range st.opens {
				pt, err := st.ring.Open(sealed[v], aad)
				require.NoError(t, err, "Open(%s)", v)
				require.Equal(t, v, string(pt))
			}
			for v, want := range st.rotate {
				assert.Equal(t, want, st.ring.NeedsRotation(sealed[v]), "NeedsRotation(%s)", v)
			}
			for _, v := range st.unknown {
				_, err := st.ring.Open(sealed[v], aad)
				assert.ErrorIs(t, err, ErrUnknownKey, "Open(%s)", v)
			}
		})
	}

	// Rotating v1 under generation 3 moves it to k3; after that it opens with
	// k3 alone.
	g3 := newTestRing(t, k3, k2, k1)
	rotated, err := g3.Rotate(sealed["v1"], aad)
	require.NoError(t, err)
	assert.False(t, g3.NeedsRotation(rotated))
	pt, err := newTestRing(t, k3).Open(rotated, aad)
	require.NoError(t, err)
	assert.Equal(t, "v1", string(pt))

	_, err = g3.Rotate(sealed["v1"], AAD("org", "B", "field", "token"))
	assert.Equal(t, ErrDecrypt, err, "Rotate checks the aad")
}

func TestRotatePreservesTheForm(t *testing.T) {
	k1, _ := newTestKey(t)
	k2, _ := newTestKey(t)
	old := newTestRing(t, k1)
	r := newTestRing(t, k2, k1)

	text, err := old.SealText(NewSecret("token"), nil)
	require.NoError(t, err)
	require.True(t, r.NeedsRotation([]byte(text)), "text form under an old key")
	out, err := r.Rotate([]byte(text), nil)
	require.NoError(t, err)
	require.True(t, isText(out), "text in, text out")
	assert.False(t, r.NeedsRotation(out))
	s, err := newTestRing(t, k2).OpenText(string(out), nil)
	require.NoError(t, err)
	assert.Equal(t, "token", s.Reveal())

	bin, err := old.Seal([]byte("token"), nil)
	require.NoError(t, err)
	out, err = r.Rotate(bin, nil)
	require.NoError(t, err)
	require.False(t, isText(out), "binary in, binary out")
	pt, err := newTestRing(t, k2).Open(out, nil)
	require.NoError(t, err)
	assert.Equal(t, "token", string(pt))
}

func TestNeedsRotationIsFalseForMalformedInput(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	for _, in := range [][]byte{nil, {}, {0x01}, make([]byte, Overhead-1), []byte("sb1.!!!"), []byte(TextPrefix)} {
		assert.False(t, r.NeedsRotation(in), "NeedsRotation(%q)", in)
	}
}

// ---- RewrapAll ----

type savedValue struct {
	ref string
	ct  []byte
}

func seqOf(items []Item, errs map[int]error) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for i, it := range items {
			if !yield(it, errs[i]) {
				return
			}
		}
	}
}

func TestRewrapAllReportsEveryFailureAndContinues(t *testing.T) {
	k1, _ := newTestKey(t)
	k2, _ := newTestKey(t)
	stranger, _ := newTestKey(t)
	old := newTestRing(t, k1)
	r := newTestRing(t, k2, k1)
	aad := func(ref string) []byte { return AAD("ref", ref) }

	mustSeal := func(ring *Keyring, ref string) []byte {
		ct, err := ring.Seal([]byte("secret "+ref), aad(ref))
		require.NoError(t, err)
		return ct
	}
	oldText, err := old.SealText(NewSecret("secret old-text"), aad("old-text"))
	require.NoError(t, err)
	corrupt := mustSeal(old, "corrupt")
	corrupt[len(corrupt)-1] ^= 1

	items := []Item{
		{Ref: "old-1", Ciphertext: mustSeal(old, "old-1"), AAD: aad("old-1")},
		{Ref: "current", Ciphertext: mustSeal(r, "current"), AAD: aad("current")},
		{Ref: "corrupt", Ciphertext: corrupt, AAD: aad("corrupt")},
		{Ref: "iterator-error"},
		{Ref: "old-text", Ciphertext: []byte(oldText), AAD: aad("old-text")},
		{Ref: "save-fails", Ciphertext: mustSeal(old, "save-fails"), AAD: aad("save-fails")},
		{Ref: "unknown-key", Ciphertext: mustSeal(newTestRing(t, stranger), "unknown-key"), AAD: aad("unknown-key")},
		{Ref: "wrong-aad", Ciphertext: mustSeal(old, "wrong-aad"), AAD: aad("other")},
		{Ref: "garbage", Ciphertext: []byte("not a ciphertext")},
		{Ref: "old-2", Ciphertext: mustSeal(old, "old-2"), AAD: aad("old-2")},
	}
	scanErr := errors.New("scan failed")
	saveErr := errors.New("database down")

	var saved []savedValue
	save := func(_ context.Context, it Item, ct []byte) error {
		if it.Ref == "save-fails" {
			return saveErr
		}
		saved = append(saved, savedValue{it.Ref, ct})
		return nil
	}
	var progress []string
	sum, err := r.RewrapAll(context.Background(), seqOf(items, map[int]error{3: scanErr}), save, func(res Result) {
		progress = append(progress, res.Ref+":"+res.Outcome.String())
	})
	require.NoError(t, err)

	assert.Equal(t, []string{
		"old-1:rewrapped", "current:current", "corrupt:failed", "iterator-error:failed",
		"old-text:rewrapped", "save-fails:failed", "unknown-key:failed", "wrong-aad:failed",
		"garbage:failed", "old-2:rewrapped",
	}, progress)
	assert.Equal(t, 10, sum.Seen)
	assert.Equal(t, 3, sum.Rewrapped)
	assert.Equal(t, 1, sum.Current)
	assert.Equal(t, 6, sum.Failed)
	require.Len(t, sum.Failures, 6)

	wantErr := map[string]error{
		"corrupt": ErrDecrypt, "iterator-error": scanErr, "save-fails": saveErr,
		"unknown-key": ErrUnknownKey, "wrong-aad": ErrDecrypt, "garbage": ErrDecrypt,
	}
	for _, f := range sum.Failures {
		assert.ErrorIs(t, f.Err, wantErr[f.Ref], "failure of %s", f.Ref)
		assert.Equal(t, Failed, f.Outcome)
	}

	// Everything saved opens under the new primary alone, in its original form.
	onlyNew := newTestRing(t, k2)
	require.Len(t, saved, 3)
	for _, s := range saved {
		if s.ref == "old-text" {
			sec, err := onlyNew.OpenText(string(s.ct), aad(s.ref))
			require.NoError(t, err)
			assert.Equal(t, "secret old-text", sec.Reveal())
			continue
		}
		pt, err := onlyNew.Open(s.ct, aad(s.ref))
		require.NoError(t, err, s.ref)
		assert.Equal(t, "secret "+s.ref, string(pt))
	}
}

func TestRewrapAllBoundsTheFailureList(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	items := func(yield func(Item, error) bool) {
		for i := range maxReportedFailures + 50 {
			if !yield(Item{Ref: fmt.Sprint(i), Ciphertext: []byte("bad")}, nil) {
				return
			}
		}
	}
	sum, err := r.RewrapAll(context.Background(), items, func(context.Context, Item, []byte) error { return nil }, nil)
	require.NoError(t, err)
	assert.Equal(t, maxReportedFailures+50, sum.Failed)
	assert.Len(t, sum.Failures, maxReportedFailures)
}

func TestRewrapAllReportsMalformedTextAsDecryptFailure(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	items := []Item{{Ref: "bad-base64", Ciphertext: []byte("sb1.!!!")}, {Ref: "prefix-only", Ciphertext: []byte(TextPrefix)}}
	sum, err := r.RewrapAll(context.Background(), seqOf(items, nil), func(context.Context, Item, []byte) error { return nil }, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Failed)
	for _, f := range sum.Failures {
		assert.ErrorIs(t, f.Err, ErrDecrypt, "failure of %s", f.Ref)
	}
}

func TestRewrapAllStopsWhenTheContextIsDone(t *testing.T) {
	k1, _ := newTestKey(t)
	k2, _ := newTestKey(t)
	old := newTestRing(t, k1)
	r := newTestRing(t, k2, k1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var items []Item
	for i := range 5 {
		ct, err := old.Seal([]byte("x"), nil)
		require.NoError(t, err)
		items = append(items, Item{Ref: fmt.Sprint(i), Ciphertext: ct})
	}
	saves := 0
	save := func(context.Context, Item, []byte) error {
		saves++
		if saves == 2 {
			cancel()
		}
		return nil
	}
	sum, err := r.RewrapAll(ctx, seqOf(items, nil), save, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, saves)
	assert.Equal(t, 2, sum.Rewrapped)
	assert.Equal(t, 2, sum.Seen)
}

func TestRewrapAllNeedsASaveFunction(t *testing.T) {
	k, _ := newTestKey(t)
	r := newTestRing(t, k)
	read := false
	items := func(func(Item, error) bool) { read = true }
	_, err := r.RewrapAll(context.Background(), seqOf(nil, nil), nil, nil)
	assert.Error(t, err)
	_, err = r.RewrapAll(context.Background(), items, nil, nil)
	assert.Error(t, err)
	assert.False(t, read, "items were read without a save function")
}
