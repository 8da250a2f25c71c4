package authn

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Errors returned by [Policy.Check], each wrapped with a sentence that
// explains the rule (never the password). Test with errors.Is.
var (
	ErrPolicyTooShort   = errors.New("authn: password too short")
	ErrPolicyTooLong    = errors.New("authn: password too long")
	ErrPolicyCharacters = errors.New("authn: password contains characters that cannot be typed reliably")
	ErrPolicyCommon     = errors.New("authn: password is too common")
	ErrPolicyContext    = errors.New("authn: password is built from your name, email or this site's name")
	ErrPolicyRepetitive = errors.New("authn: password is a repetition or sequence")
)

// Length bounds from NIST SP 800-63B section 3.1.1.2.
const (
	// DefaultPolicyMinLength is NIST's minimum for a password used together
	// with a second factor. For password-only accounts NIST (SP 800-63B-4)
	// recommends 15: set PolicyConfig.MinLength to 15 there.
	DefaultPolicyMinLength = 8
	// DefaultPolicyMaxLength is the default maximum; NIST requires allowing
	// at least 64 characters.
	DefaultPolicyMaxLength = 128

	policyFloorMinLength = 8
	policyFloorMaxLength = 64
	policyCeilMaxLength  = 256 // 256 characters fit the Hasher's default 1 KiB
	// policyContextMinWord is the shortest context word considered; shorter
	// fragments ("com", "jo") match too much ordinary text.
	policyContextMinWord = 4
	// policyContextRemainder is how many characters must remain once context
	// words are removed.
	policyContextRemainder = 8
)

// PolicyConfig configures a [Policy]. The zero value is ready to use.
type PolicyConfig struct {
	// MinLength is the minimum length in characters (Unicode code points).
	// Default 8, NIST's minimum when a second factor is also required. Use
	// 15 for accounts protected by a password alone. Values below 8 are
	// rejected.
	MinLength int

	// MaxLength is the maximum length in characters. Default 128. Must be
	// between 64 (NIST's floor) and 256. Keep it within the Hasher's
	// MaxPasswordBytes (1024 bytes by default, i.e. 256 characters of any
	// script).
	MaxLength int

	// ContextWords are words specific to the service, such as its name and
	// domain ("bulwark", "example.com"). Passwords built mostly from them,
	// or from the per-user words passed to Check, are rejected. Default
	// none.
	ContextWords []string

	// Normalize maps a password to the form that is checked, and should be
	// the same function as HasherConfig.Normalize. The default folds
	// full-width ASCII and special spaces as NFKC does (see
	// HasherConfig.Normalize).
	Normalize func(string) string
}

// Policy checks new passwords against NIST SP 800-63B: a length range, no
// composition rules (no "one digit, one symbol"), no characters that cannot
// be typed reliably, and a blocklist of common passwords, repetitions and
// sequences, and words from the user's context. Create one with
// [NewPolicy]; it is immutable and safe for concurrent use.
//
// Apply a Policy when a password is chosen or changed, not at login: a
// password set under an older policy must still let its owner in. A zero
// or nil Policy rejects every password with an error.
type Policy struct {
	min, max  int
	words     []string // lowercased service context words
	normalize func(string) string
}

// NewPolicy validates cfg and returns a Policy.
func NewPolicy(cfg PolicyConfig) (*Policy, error) {
	p := &Policy{min: cfg.MinLength, max: cfg.MaxLength, normalize: cfg.Normalize}
	if p.min == 0 {
		p.min = DefaultPolicyMinLength
	}
	if p.max == 0 {
		p.max = DefaultPolicyMaxLength
	}
	if p.normalize == nil {
		p.normalize = hasherFoldWidth
	}
	switch {
	case p.min < policyFloorMinLength:
		return nil, fmt.Errorf("authn: PolicyConfig.MinLength must be at least %d (NIST SP 800-63B)", policyFloorMinLength)
	case p.max < policyFloorMaxLength || p.max > policyCeilMaxLength:
		return nil, fmt.Errorf("authn: PolicyConfig.MaxLength must be between %d and %d", policyFloorMaxLength, policyCeilMaxLength)
	case p.min > p.max:
		return nil, errors.New("authn: PolicyConfig.MinLength exceeds MaxLength")
	}
	p.words = policyContextWords(nil, cfg.ContextWords)
	return p, nil
}

// MustNewPolicy is like [NewPolicy] but panics on an invalid configuration.
func MustNewPolicy(cfg PolicyConfig) *Policy {
	p, err := NewPolicy(cfg)
	if err != nil {
		panic(err)
	}
	return p
}

// Check returns nil if password is acceptable as a new password, or an
// error wrapping one of the ErrPolicy sentinels with an explanation fit to
// show the user. userWords are words from the user's own context, such as
// their email address, username and display name; they are split into
// words and treated like PolicyConfig.ContextWords.
//
// The checks, in order: valid UTF-8 without control characters; length in
// characters; not a repetition or sequence ("aaaaaaaa", "abcdefgh",
// "abcabcabc"); still at least 8 characters once context words are removed;
// neither the password nor that remainder on the embedded list of 197,528
// common passwords (compared case-insensitively).
func (p *Policy) Check(password string, userWords ...string) error {
	if p == nil || p.normalize == nil {
		return errors.New("authn: Policy not created by NewPolicy")
	}
	if !utf8.ValidString(password) || strings.IndexFunc(password, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: use letters, digits, spaces and symbols only", ErrPolicyCharacters)
	}
	norm := p.normalize(password)
	n := utf8.RuneCountInString(norm)
	if n < p.min {
		return fmt.Errorf("%w: use at least %d characters", ErrPolicyTooShort, p.min)
	}
	if n > p.max {
		return fmt.Errorf("%w: use at most %d characters", ErrPolicyTooLong, p.max)
	}
	lower := strings.ToLower(norm)
	if policyRepetitive(lower) {
		return fmt.Errorf("%w: avoid repeated characters and runs like abcd or 4321", ErrPolicyRepetitive)
	}
	rest := lower
	for _, w := range policyContextWords(p.words, userWords) {
		rest = strings.ReplaceAll(rest, w, "")
	}
	if utf8.RuneCountInString(rest) < policyContextRemainder {
		return fmt.Errorf("%w: without those it must still have %d characters", ErrPolicyContext, policyContextRemainder)
	}
	list, err := policyCommonList()
	if err != nil {
		return err // the embedded list is corrupt: a build problem, fail closed
	}
	if policyInList(list, lower) || (rest != lower && policyInList(list, strings.TrimSpace(rest))) {
		return fmt.Errorf("%w: it appears in lists of leaked passwords that attackers try first", ErrPolicyCommon)
	}
	for _, base := range policyDerivedBases(lower) {
		if policyInList(list, base) {
			return fmt.Errorf("%w: it is a leaked password that attackers try first, repeated or with digits or symbols added", ErrPolicyCommon)
		}
	}
	return nil
}

// policyDerivedBases returns the common passwords that s may be built from
// by the mangling rules every cracking tool applies first: digits and
// symbols added at either end ("password2024!"), and the whole repeated
// ("iloveyouiloveyou"). Without this, a long minimum length pushes users
// toward exactly these forms of listed passwords. The embedded list holds
// only entries of 8 characters or more, so shorter bases ("dragon2024!!")
// are not caught this way.
func policyDerivedBases(s string) []string {
	isAffix := func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	}
	var out []string
	trimmed := strings.TrimFunc(s, isAffix)
	if trimmed != s && trimmed != "" {
		out = append(out, trimmed)
	}
	for _, v := range []string{s, trimmed} {
		if u := policyRepeatedUnit(v); u != "" {
			out = append(out, u, strings.TrimFunc(u, isAffix))
		}
	}
	return out
}

// policyRepeatedUnit returns u if s is u repeated two or more times, else "".
func policyRepeatedUnit(s string) string {
	for p := 1; p <= len(s)/2; p++ {
		if len(s)%p == 0 && strings.Repeat(s[:p], len(s)/p) == s {
			return s[:p]
		}
	}
	return ""
}

// policyContextWords appends to dst the lowercased words of each phrase
// (split at anything that is not a letter or digit) that have at least
// policyContextMinWord characters, and each whole phrase itself.
func policyContextWords(dst []string, phrases []string) []string {
	out := append([]string(nil), dst...)
	for _, ph := range phrases {
		ph = strings.ToLower(ph)
		if utf8.RuneCountInString(ph) >= policyContextMinWord {
			out = append(out, ph)
		}
		for _, w := range strings.FieldsFunc(ph, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			if utf8.RuneCountInString(w) >= policyContextMinWord {
				out = append(out, w)
			}
		}
	}
	return out
}

// policyRepetitive reports whether s is a short pattern repeated (period of
// at most 4 characters, e.g. "aaaaaaaa", "abababab", "passpass") or a run
// of consecutive code points ("abcdefgh", "87654321").
func policyRepetitive(s string) bool {
	r := []rune(s)
	if len(r) < 2 {
		return true
	}
	for period := 1; period <= 4 && 2*period <= len(r); period++ {
		repeats := true
		for i := period; i < len(r); i++ {
			if r[i] != r[i-period] {
				repeats = false
				break
			}
		}
		if repeats {
			return true
		}
	}
	step := r[1] - r[0]
	if step != 1 && step != -1 {
		return false
	}
	for i := 2; i < len(r); i++ {
		if r[i]-r[i-1] != step {
			return false
		}
	}
	return true
}
