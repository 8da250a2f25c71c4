package totp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

// t0 is 10 seconds into a time step, so ±Period stays in whole steps.
var t0 = time.Unix(1764090000+10, 0).UTC() // 1764090000 is a multiple of 30

var testSeed = []byte("bulwark totp test secret, 32 B!!")

// verifyStep is one call in a step table: at clock t0+at, the user types the
// code of time t0+codeAt (or code, when set).
type verifyStep struct {
	user    string
	at      time.Duration
	codeAt  time.Duration
	code    string // overrides codeAt when non-empty
	want    error
	wantEnd time.Duration // for ErrLockedOut: lock-out end, offset from t0
}

// runVerifySteps runs steps against a fresh Verifier built from cfg.
func runVerifySteps(t *testing.T, cfg totp.Config, steps []verifyStep) {
	t.Helper()
	c := newClock(t0)
	cfg.Issuer = "Example"
	cfg.Now = c.Now
	v, err := totp.New(cfg)
	require.NoError(t, err)
	secret := mustSecret(t, testSeed)
	for i, st := range steps {
		c.Set(t0.Add(st.at))
		code := st.code
		if code == "" {
			code = refCode(testSeed, totp.SHA1, 6, t0.Add(st.codeAt))
		}
		user := st.user
		if user == "" {
			user = "alice"
		}
		err := v.Verify(context.Background(), user, secret, code)
		switch {
		case st.want == nil:
			require.NoError(t, err, "step %d: Verify(%s, code of t0%+v) at t0%+v", i, user, st.codeAt, st.at)
		default:
			require.ErrorIs(t, err, st.want, "step %d: Verify(%s, code of t0%+v) at t0%+v", i, user, st.codeAt, st.at)
		}
		if st.want == totp.ErrLockedOut {
			var lo *totp.LockedOutError
			require.True(t, errors.As(err, &lo), "step %d: error %T is not *LockedOutError", i, err)
			assert.True(t, lo.Until.Equal(t0.Add(st.wantEnd)), "step %d: locked until t0%+v, want t0%+v", i, lo.Until.Sub(t0), st.wantEnd)
		}
	}
}

// wrong is a well-formed code that matches none of the steps used in these
// tests (checked by TestWrongCodeIsWrong).
const wrong = "000000"

func TestWrongCodeIsWrong(t *testing.T) {
	for d := -5 * totp.Period; d <= 10*totp.Period; d += totp.Period {
		require.NotEqual(t, wrong, refCode(testSeed, totp.SHA1, 6, t0.Add(d)), "pick another wrong code")
	}
}

const p = totp.Period

func TestVerifyReplay(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   totp.Config
		steps []verifyStep
	}{
		// Single use.
		{"a current code is accepted once", totp.Config{}, []verifyStep{
			{at: 0, codeAt: 0},
			{at: 0, codeAt: 0, want: totp.ErrReplayedCode},
			{at: 15 * time.Second, codeAt: 0, want: totp.ErrReplayedCode},
		}},
		{"a code replayed in the next step is still rejected", totp.Config{}, []verifyStep{
			{at: 0, codeAt: 0},
			{at: p, codeAt: 0, want: totp.ErrReplayedCode},
		}},
		{"the next step's code is accepted after the current one", totp.Config{}, []verifyStep{
			{at: 0, codeAt: 0},
			{at: p, codeAt: p},
			{at: 2 * p, codeAt: 2 * p},
		}},
		// Skew.
		{"a code one step late is accepted", totp.Config{}, []verifyStep{
			{at: p, codeAt: 0},
		}},
		{"a code one step early is accepted", totp.Config{}, []verifyStep{
			{at: 0, codeAt: p},
		}},
		{"a code two steps late is rejected with the default skew", totp.Config{}, []verifyStep{
			{at: 2 * p, codeAt: 0, want: totp.ErrInvalidCode},
		}},
		{"a code two steps early is rejected with the default skew", totp.Config{}, []verifyStep{
			{at: 0, codeAt: 2 * p, want: totp.ErrInvalidCode},
		}},
		{"a code of an earlier step is a replay after a later step was accepted", totp.Config{}, []verifyStep{
			{at: 0, codeAt: p},
			{at: 0, codeAt: 0, want: totp.ErrReplayedCode},
			{at: 0, codeAt: -p, want: totp.ErrReplayedCode},
		}},
		{"a late code is a replay after the current step was accepted", totp.Config{}, []verifyStep{
			{at: p, codeAt: p},
			{at: p, codeAt: 0, want: totp.ErrReplayedCode},
		}},
		{"without skew only the current step is accepted", totp.Config{Skew: totp.NoSkew}, []verifyStep{
			{at: p, codeAt: 0, want: totp.ErrInvalidCode},
			{at: 0, codeAt: p, want: totp.ErrInvalidCode},
			{at: 0, codeAt: 0},
		}},
		{"with skew 2 a code two steps away is accepted", totp.Config{Skew: 2}, []verifyStep{
			{at: 2 * p, codeAt: 0},
			{at: 2 * p, codeAt: 4 * p},
			{at: 2 * p, codeAt: 3 * p, want: totp.ErrReplayedCode},
			{at: 2 * p, codeAt: 5 * p, want: totp.ErrInvalidCode},
		}},
		// Users.
		{"users are independent", totp.Config{}, []verifyStep{
			{user: "alice", at: 0, codeAt: 0},
			{user: "bob", at: 0, codeAt: 0},
			{user: "bob", at: 0, codeAt: 0, want: totp.ErrReplayedCode},
		}},
		{"a wrong code is invalid", totp.Config{}, []verifyStep{
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { runVerifySteps(t, tc.cfg, tc.steps) })
	}
}

func TestVerifyAttemptLimit(t *testing.T) {
	const lock = 2 * time.Minute
	cfg := totp.Config{MaxFailures: 3, LockoutDuration: lock}
	for _, tc := range []struct {
		name  string
		steps []verifyStep
	}{
		{"the user is locked out after the last allowed failure, even with a right code", []verifyStep{
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 1 * time.Second, code: wrong, want: totp.ErrInvalidCode},
			{at: 2 * time.Second, code: wrong, want: totp.ErrInvalidCode},
			{at: 3 * time.Second, codeAt: 0, want: totp.ErrLockedOut, wantEnd: 2*time.Second + lock},
			{at: 2*time.Second + lock - time.Second, codeAt: 2*time.Second + lock - time.Second, want: totp.ErrLockedOut, wantEnd: 2*time.Second + lock},
		}},
		{"the lock-out ends after its duration", []verifyStep{
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: lock, codeAt: lock},
		}},
		{"a success resets the failure count", []verifyStep{
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 0, codeAt: 0},
			{at: p, code: wrong, want: totp.ErrInvalidCode},
			{at: p, code: wrong, want: totp.ErrInvalidCode},
			{at: p, codeAt: p},
		}},
		{"replays count as failures", []verifyStep{
			{at: 0, codeAt: 0},
			{at: 0, codeAt: 0, want: totp.ErrReplayedCode},
			{at: 0, codeAt: 0, want: totp.ErrReplayedCode},
			{at: 0, codeAt: 0, want: totp.ErrReplayedCode},
			{at: 0, codeAt: p, want: totp.ErrLockedOut, wantEnd: lock},
		}},
		{"malformed input is not counted", []verifyStep{
			{at: 0, code: "12345", want: totp.ErrInvalidCode},
			{at: 0, code: "abcdef", want: totp.ErrInvalidCode},
			{at: 0, code: "1234567", want: totp.ErrInvalidCode},
			{at: 0, code: "12 34 5", want: totp.ErrInvalidCode},
			{at: 0, codeAt: 0},
		}},
		{"failures of one user do not lock out another", []verifyStep{
			{user: "mallory", at: 0, code: wrong, want: totp.ErrInvalidCode},
			{user: "mallory", at: 0, code: wrong, want: totp.ErrInvalidCode},
			{user: "mallory", at: 0, code: wrong, want: totp.ErrInvalidCode},
			{user: "mallory", at: 0, codeAt: 0, want: totp.ErrLockedOut, wantEnd: lock},
			{user: "alice", at: 0, codeAt: 0},
		}},
		{"failures older than the window are forgotten", []verifyStep{
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: 0, code: wrong, want: totp.ErrInvalidCode},
			{at: lock, code: wrong, want: totp.ErrInvalidCode},
			{at: lock, code: wrong, want: totp.ErrInvalidCode},
			{at: lock, codeAt: lock},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { runVerifySteps(t, cfg, tc.steps) })
	}
}

func TestVerifyDefaultLimitIsFiveFailuresForFifteenMinutes(t *testing.T) {
	steps := make([]verifyStep, 0, 7)
	for range 5 {
		steps = append(steps, verifyStep{at: 0, code: wrong, want: totp.ErrInvalidCode})
	}
	steps = append(steps,
		verifyStep{at: 15*time.Minute - time.Second, codeAt: 15*time.Minute - time.Second, want: totp.ErrLockedOut, wantEnd: 15 * time.Minute},
		verifyStep{at: 15 * time.Minute, codeAt: 15 * time.Minute})
	runVerifySteps(t, totp.Config{}, steps)
}

func TestVerifyInputHygiene(t *testing.T) {
	code := refCode(testSeed, totp.SHA1, 6, t0) // six digits
	for _, tc := range []struct {
		name  string
		input string
		ok    bool
	}{
		{"plain digits are accepted", code, true},
		{"a space in the middle is accepted", code[:3] + " " + code[3:], true},
		{"a dash in the middle is accepted", code[:3] + "-" + code[3:], true},
		{"surrounding spaces are accepted", "  " + code + " ", true},
		{"pairs separated by spaces are accepted", code[:2] + " " + code[2:4] + " " + code[4:], true},
		{"an empty code is rejected", "", false},
		{"only separators are rejected", " - - ", false},
		{"one digit too few is rejected", code[:5], false},
		{"one digit too many is rejected", code + "0", false},
		{"a letter is rejected", code[:5] + "a", false},
		{"a tab is rejected", code[:3] + "\t" + code[3:], false},
		{"a newline is rejected", code + "\n", false},
		{"a plus sign is rejected", "+" + code, false},
		{"a NUL byte is rejected", code + "\x00", false},
		{"full-width digits are rejected", strings.Map(func(r rune) rune { return r - '0' + '０' }, code), false},
		{"an en dash is rejected", code[:3] + "–" + code[3:], false},
		{"very long padding is rejected", strings.Repeat(" ", 100) + code, false},
		{"invalid UTF-8 is rejected", code[:3] + "\xff" + code[3:], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := totp.MustNew(totp.Config{Issuer: "Example", Now: func() time.Time { return t0 }})
			err := v.Verify(context.Background(), "alice", mustSecret(t, testSeed), tc.input)
			if tc.ok {
				assert.NoError(t, err, "Verify(%q)", tc.input)
			} else {
				assert.ErrorIs(t, err, totp.ErrInvalidCode, "Verify(%q)", tc.input)
			}
		})
	}
}

func TestVerifyRejectsBadArguments(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example", Now: func() time.Time { return t0 }})
	code := refCode(testSeed, totp.SHA1, 6, t0)
	ctx := context.Background()
	assert.ErrorIs(t, v.Verify(ctx, "", mustSecret(t, testSeed), code), totp.ErrInvalidUser)
	assert.ErrorIs(t, v.Verify(ctx, strings.Repeat("u", 513), mustSecret(t, testSeed), code), totp.ErrInvalidUser)
	assert.ErrorIs(t, v.Verify(ctx, "alice", totp.Secret{}, code), totp.ErrInvalidSecret)
}

func TestVerifyBeforeTheEpochFails(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example", Now: func() time.Time { return time.Unix(-100, 0) }})
	err := v.Verify(context.Background(), "alice", mustSecret(t, testSeed), "123456")
	assert.ErrorIs(t, err, totp.ErrInvalidCode)
}

// failingStore is a backend that is down.
type failingStore struct{}

var errDown = errors.New("backend down")

func (failingStore) AcceptStep(context.Context, string, uint64, time.Duration) (bool, error) {
	return false, errDown
}

func (failingStore) Attempt(context.Context, string, time.Time, int, time.Duration) (bool, time.Time, error) {
	return false, time.Time{}, errDown
}

func (failingStore) ResetAttempts(context.Context, string) error { return errDown }

func (failingStore) SetBackupCodes(context.Context, string, [][]byte) error { return errDown }

func (failingStore) BackupCodes(context.Context, string) ([][]byte, error) { return nil, errDown }

func (failingStore) ConsumeBackupCode(context.Context, string, []byte) (bool, error) {
	return false, errDown
}

func TestVerifyFailsClosedWhenAStoreFails(t *testing.T) {
	code := refCode(testSeed, totp.SHA1, 6, t0)
	for _, tc := range []struct {
		name string
		cfg  totp.Config
	}{
		{"a failing replay store rejects a right code", totp.Config{ReplayStore: failingStore{}}},
		{"a failing attempt store rejects a right code", totp.Config{AttemptStore: failingStore{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Issuer = "Example"
			tc.cfg.Now = func() time.Time { return t0 }
			v := totp.MustNew(tc.cfg)
			err := v.Verify(context.Background(), "alice", mustSecret(t, testSeed), code)
			require.ErrorIs(t, err, errDown)
			assert.NotContains(t, err.Error(), code)
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   totp.Config
		field string
	}{
		{"an empty issuer is rejected", totp.Config{}, "Issuer"},
		{"an issuer with a colon is rejected", totp.Config{Issuer: "a:b"}, "Issuer"},
		{"an issuer with a newline is rejected", totp.Config{Issuer: "a\nb"}, "Issuer"},
		{"a long issuer is rejected", totp.Config{Issuer: strings.Repeat("x", 101)}, "Issuer"},
		{"an unknown algorithm is rejected", totp.Config{Issuer: "x", Algorithm: 7}, "Algorithm"},
		{"seven digits are rejected", totp.Config{Issuer: "x", Digits: 7}, "Digits"},
		{"a skew of 3 is rejected", totp.Config{Issuer: "x", Skew: 3}, "Skew"},
		{"a skew of -2 is rejected", totp.Config{Issuer: "x", Skew: -2}, "Skew"},
		{"negative max failures are rejected", totp.Config{Issuer: "x", MaxFailures: -1}, "MaxFailures"},
		{"21 max failures are rejected", totp.Config{Issuer: "x", MaxFailures: 21}, "MaxFailures"},
		{"a one-second lock-out is rejected", totp.Config{Issuer: "x", LockoutDuration: time.Second}, "LockoutDuration"},
		{"a tiny QR code is rejected", totp.Config{Issuer: "x", QRSize: 10}, "QRSize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := totp.New(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Config."+tc.field)
		})
	}
	_, err := totp.New(totp.Config{Issuer: "Example Corp"})
	assert.NoError(t, err, "a config with only an issuer is valid")
}

func TestLockedOutErrorRetryAfter(t *testing.T) {
	e := &totp.LockedOutError{Until: t0.Add(90*time.Second + time.Millisecond)}
	assert.Equal(t, 91*time.Second, e.RetryAfter(t0))
	assert.Equal(t, time.Duration(0), e.RetryAfter(t0.Add(time.Hour)))
	assert.ErrorIs(t, e, totp.ErrLockedOut)
}

// Of many concurrent verifications of one code, exactly one succeeds (run
// with -race); the others see a replay.
func TestVerifyConcurrentUseSucceedsOnce(t *testing.T) {
	v := totp.MustNew(totp.Config{Issuer: "Example", MaxFailures: 20, Now: func() time.Time { return t0 }})
	secret := mustSecret(t, testSeed)
	code := refCode(testSeed, totp.SHA1, 6, t0)
	var wins, replays atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 16 {
		wg.Go(func() {
			<-start
			switch err := v.Verify(context.Background(), "alice", secret, code); {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, totp.ErrReplayedCode):
				replays.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
	assert.Equal(t, int32(15), replays.Load())
}
