package sealbox

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// NeedsRotation reports whether ciphertext, in binary or text form, is
// well-formed and names a key other than the primary one, so that
// [Keyring.Rotate] would move it to the primary key. It only reads the
// header; it does not authenticate, and it returns false for malformed input
// (which [Keyring.RewrapAll] reports as a failure instead).
func (r *Keyring) NeedsRotation(ciphertext []byte) bool {
	ct, _, err := binaryForm(ciphertext)
	return err == nil && r.needsRotation(ct)
}

// needsRotation is NeedsRotation for the binary form.
func (r *Keyring) needsRotation(ct []byte) bool {
	h, ok := parseHeader(ct)
	return ok && r != nil && r.primary.valid() && h.keyID != r.primary.id
}

// Rotate opens ciphertext with whichever key sealed it and seals the
// plaintext again under the primary key, with the same aad. It accepts the
// binary form or the text form (as bytes) and returns the same form. It
// always re-seals, even when the ciphertext already uses the primary key;
// call [Keyring.NeedsRotation] first to skip needless writes. Errors are
// those of [Keyring.Open]; the intermediate plaintext is wiped.
func (r *Keyring) Rotate(ciphertext, aad []byte) ([]byte, error) {
	ct, text, err := binaryForm(ciphertext)
	if err != nil {
		return nil, err
	}
	pt, err := r.Open(ct, aad)
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	return r.reseal(pt, aad, text)
}

// reseal seals pt under the primary key, in text form if text is set.
func (r *Keyring) reseal(pt, aad []byte, text bool) ([]byte, error) {
	out, err := r.Seal(pt, aad)
	if err != nil || !text {
		return out, err
	}
	return []byte(EncodeText(out)), nil
}

// binaryForm returns the binary form of a ciphertext given in either form,
// and whether it was given as text. A malformed text form is [ErrDecrypt].
func binaryForm(ciphertext []byte) (ct []byte, text bool, err error) {
	if !isText(ciphertext) {
		return ciphertext, false, nil
	}
	ct, err = DecodeText(string(ciphertext))
	return ct, true, err
}

// Item is one stored ciphertext for [Keyring.RewrapAll].
type Item struct {
	// Ref identifies the item in results, for example a table and primary
	// key. It is reported back as given, so it must not be secret.
	Ref string
	// Ciphertext is the stored value, in binary or text form.
	Ciphertext []byte
	// AAD is the additional data the value was sealed with.
	AAD []byte
}

// Outcome says what [Keyring.RewrapAll] did with one item.
type Outcome int

const (
	// Rewrapped: the item was re-sealed under the primary key and saved.
	Rewrapped Outcome = iota + 1
	// Current: the item already used the primary key and opened
	// correctly; nothing was written.
	Current
	// Failed: the item could not be read, opened or saved; see Result.Err.
	Failed
)

// String returns "rewrapped", "current" or "failed", for logs and reports.
func (o Outcome) String() string {
	switch o {
	case Rewrapped:
		return "rewrapped"
	case Current:
		return "current"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Result is the outcome for one item, passed to the progress callback of
// [Keyring.RewrapAll].
type Result struct {
	// Ref is the [Item.Ref] of the item, as given.
	Ref string
	// Outcome says what happened to the item.
	Outcome Outcome
	// Err is set when Outcome is Failed: the iterator's error, an error
	// matching [ErrDecrypt] or [ErrUnknownKey], or the save function's
	// error (wrapped).
	Err error
}

// maxReportedFailures bounds Summary.Failures so a pass over millions of bad
// rows cannot exhaust memory; Summary.Failed still counts all of them.
const maxReportedFailures = 100

// Summary totals a [Keyring.RewrapAll] pass.
type Summary struct {
	Seen      int // items received from the iterator, including its errors
	Rewrapped int // items re-sealed under the primary key and saved
	Current   int // items already under the primary key that opened correctly
	Failed    int // items that could not be read, opened or saved
	// Failures holds the first 100 failures; Failed counts all of them.
	Failures []Result
}

// SaveFunc stores a re-wrapped ciphertext for an item, typically with an
// UPDATE ... WHERE id = $1 AND value = $old so that a concurrent write is not
// overwritten. The ciphertext has the same form (binary or text) as
// item.Ciphertext.
type SaveFunc func(ctx context.Context, item Item, rewrapped []byte) error

// RewrapAll walks items and moves every value not yet under the primary key
// to it, calling save for each re-wrapped value. Values already under the
// primary key are still opened, to verify them, but not saved. It never stops
// at a failure: an error from the iterator, a value that does not open and a
// failing save are all recorded and the pass continues. progress, if not
// nil, is called after every item, in order, from the calling goroutine.
//
// RewrapAll stops early only when ctx is done; it then returns the summary
// so far and ctx.Err(). A nil save is an error, returned before any item is
// read. A pass whose summary has Failed == 0 and Rewrapped == 0
// proves every listed value opens under the primary key, after which retired
// keys can be removed from [Config.Previous].
func (r *Keyring) RewrapAll(ctx context.Context, items iter.Seq2[Item, error], save SaveFunc, progress func(Result)) (Summary, error) {
	var sum Summary
	if save == nil {
		return sum, errors.New("sealbox: RewrapAll needs a save function")
	}
	for item, iterErr := range items {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		sum.Seen++
		res := r.rewrapOne(ctx, item, iterErr, save)
		switch res.Outcome {
		case Rewrapped:
			sum.Rewrapped++
		case Current:
			sum.Current++
		default:
			sum.Failed++
			if len(sum.Failures) < maxReportedFailures {
				sum.Failures = append(sum.Failures, res)
			}
		}
		if progress != nil {
			progress(res)
		}
	}
	return sum, ctx.Err()
}

func (r *Keyring) rewrapOne(ctx context.Context, item Item, iterErr error, save SaveFunc) Result {
	res := Result{Ref: item.Ref, Outcome: Failed}
	if iterErr != nil {
		res.Err = fmt.Errorf("sealbox: reading item: %w", iterErr)
		return res
	}
	out, current, err := r.rewrap(item)
	switch {
	case err != nil:
		res.Err = err
	case current:
		res.Outcome = Current
	default:
		if err := save(ctx, item, out); err != nil {
			res.Err = fmt.Errorf("sealbox: saving re-wrapped item: %w", err)
			return res
		}
		res.Outcome = Rewrapped
	}
	return res
}

// rewrap decodes and opens item once. A value under the primary key is
// current; any other is re-sealed under the primary key, in its own form.
// The plaintext is wiped before rewrap returns.
func (r *Keyring) rewrap(item Item) (out []byte, current bool, err error) {
	ct, text, err := binaryForm(item.Ciphertext)
	if err != nil {
		return nil, false, err
	}
	pt, err := r.Open(ct, item.AAD)
	if err != nil {
		return nil, false, err
	}
	defer clear(pt)
	if !r.needsRotation(ct) {
		return nil, true, nil
	}
	out, err = r.reseal(pt, item.AAD, text)
	return out, false, err
}
