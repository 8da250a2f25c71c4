package totp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/totp"
)

var backupKey = bytes.Repeat([]byte{0x42}, 32)

// codeFormat: four groups of four Crockford base32 characters (no I L O U).
var codeFormat = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

func newBackup(t *testing.T, cfg totp.BackupConfig) (*totp.BackupCodes, *totp.MemoryStore) {
	t.Helper()
	store := totp.NewMemoryStore()
	if cfg.Key == nil {
		cfg.Key = backupKey
	}
	if cfg.Store == nil {
		cfg.Store = store
	}
	b, err := totp.NewBackupCodes(cfg)
	require.NoError(t, err)
	return b, store
}

func TestBackupCodesGenerate(t *testing.T) {
	ctx := context.Background()
	b, _ := newBackup(t, totp.BackupConfig{})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	require.Len(t, codes, 10, "default count")
	seen := map[string]bool{}
	for _, c := range codes {
		assert.Regexp(t, codeFormat, c)
		assert.False(t, seen[c], "duplicate code %s", c)
		seen[c] = true
	}
	n, err := b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n)

	b20, _ := newBackup(t, totp.BackupConfig{Count: 20})
	codes, err = b20.Generate(ctx, "alice")
	require.NoError(t, err)
	assert.Len(t, codes, 20)
}

// Each character carries 5 bits; over many codes every alphabet symbol must
// show up in every position (a biased or truncated encoder would miss some).
func TestBackupCodesUseTheWholeAlphabet(t *testing.T) {
	ctx := context.Background()
	b, _ := newBackup(t, totp.BackupConfig{Count: 50})
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var seen [16]map[byte]bool
	for i := range seen {
		seen[i] = map[byte]bool{}
	}
	for range 40 { // 2000 codes; P(a symbol missing in a position) < 32·(31/32)^2000 ≈ 1e-26
		codes, err := b.Generate(ctx, "alice")
		require.NoError(t, err)
		for _, c := range codes {
			c = strings.ReplaceAll(c, "-", "")
			for i := range 16 {
				seen[i][c[i]] = true
			}
		}
	}
	for i := range seen {
		assert.Len(t, seen[i], len(alphabet), "position %d", i)
	}
}

func TestBackupCodesVerify(t *testing.T) {
	ctx := context.Background()
	b, _ := newBackup(t, totp.BackupConfig{MaxFailures: 20})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)

	// Forms of one code a user may type, each used on a different code.
	forms := []func(string) string{
		func(c string) string { return c },
		strings.ToLower,
		func(c string) string { return strings.ReplaceAll(c, "-", "") },
		func(c string) string { return strings.ReplaceAll(c, "-", " ") },
		func(c string) string { return "  " + c + "\x20" },
		func(c string) string { // Crockford: O for 0, I and L for 1
			return strings.NewReplacer("0", "O", "1", "I").Replace(c)
		},
		func(c string) string { return strings.ToLower(strings.NewReplacer("0", "o", "1", "l").Replace(c)) },
	}
	for i, form := range forms {
		input := form(codes[i])
		require.NoError(t, b.Verify(ctx, "alice", input), "Verify(%q) (form %d of %s)", input, i, codes[i])
		assert.ErrorIs(t, b.Verify(ctx, "alice", codes[i]), totp.ErrInvalidCode, "a used code verified again")
	}
	n, err := b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 10-len(forms), n)
}

func TestBackupCodesRejects(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	c := newClock(now)
	b, store := newBackup(t, totp.BackupConfig{Now: c.Now})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	_, err = b.Generate(ctx, "bob")
	require.NoError(t, err)

	tries := map[string]string{
		"an empty string":                 "",
		"separators only":                 "----",
		"a code with a U":                 "UUUU-UUUU-UUUU-UUUU",
		"a code one character short":      codes[0][:len(codes[0])-1],
		"a code one character long":       codes[0] + "0",
		"a code with a non-ASCII letter":  "Ä" + codes[0][2:],
		"a code with an underscore":       strings.ReplaceAll(codes[0], "-", "_"),
		"a very long input":               strings.Repeat(codes[0], 10),
		"a well-formed code never issued": "0000-0000-0000-0000",
	}
	for name, input := range tries {
		t.Run(name, func(t *testing.T) {
			c.Set(c.Now().Add(time.Hour)) // keep the lock-out out of the way
			assert.ErrorIs(t, b.Verify(ctx, "alice", input), totp.ErrInvalidCode)
		})
	}

	t.Run("random well-formed codes never verify", func(t *testing.T) {
		for range 500 {
			c.Set(c.Now().Add(time.Hour))
			var r [10]byte
			_, _ = rand.Read(r[:])
			input := strings.ToUpper(strings.TrimRight(encodeCrockford(r[:]), "="))
			require.ErrorIs(t, b.Verify(ctx, "alice", input), totp.ErrInvalidCode, input)
		}
	})

	t.Run("alice's code does not verify for bob", func(t *testing.T) {
		assert.ErrorIs(t, b.Verify(ctx, "bob", codes[1]), totp.ErrInvalidCode)
	})

	t.Run("alice's hashes copied to carol do not verify for carol", func(t *testing.T) {
		hashes, err := store.BackupCodes(ctx, "alice")
		require.NoError(t, err)
		require.NoError(t, store.SetBackupCodes(ctx, "carol", hashes))
		assert.ErrorIs(t, b.Verify(ctx, "carol", codes[2]), totp.ErrInvalidCode)
	})

	t.Run("codes do not verify under another key", func(t *testing.T) {
		other, err := totp.NewBackupCodes(totp.BackupConfig{Key: bytes.Repeat([]byte{0x43}, 32), Store: store})
		require.NoError(t, err)
		assert.ErrorIs(t, other.Verify(ctx, "alice", codes[3]), totp.ErrInvalidCode)
	})

	t.Run("a user without codes verifies nothing", func(t *testing.T) {
		assert.ErrorIs(t, b.Verify(ctx, "dave", codes[4]), totp.ErrInvalidCode)
	})

	t.Run("an empty user is rejected", func(t *testing.T) {
		assert.ErrorIs(t, b.Verify(ctx, "", codes[4]), totp.ErrInvalidUser)
	})

	n, err := b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n, "a rejected attempt consumed a code")
}

// encodeCrockford is an independent encoder for random test codes.
func encodeCrockford(b []byte) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var out []byte
	var acc uint64
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, alphabet[(acc>>bits)&31])
		}
	}
	return string(out)
}

func TestBackupCodesRegenerateReplacesTheSet(t *testing.T) {
	ctx := context.Background()
	b, _ := newBackup(t, totp.BackupConfig{})
	old, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	require.NoError(t, b.Verify(ctx, "alice", old[0]))
	fresh, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	for _, c := range old[1:4] {
		assert.ErrorIs(t, b.Verify(ctx, "alice", c), totp.ErrInvalidCode, "an old code survived regeneration")
	}
	n, err := b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	assert.NoError(t, b.Verify(ctx, "alice", fresh[9]))

	require.NoError(t, b.Delete(ctx, "alice"))
	n, err = b.Remaining(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	assert.ErrorIs(t, b.Verify(ctx, "alice", fresh[0]), totp.ErrInvalidCode)
}

// Exactly one of many concurrent uses of a code succeeds (run with -race).
func TestBackupCodesConcurrentUseSucceedsOnce(t *testing.T) {
	ctx := context.Background()
	b, _ := newBackup(t, totp.BackupConfig{MaxFailures: 20})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	const n = 16 // below MaxFailures, so the lock-out cannot decide the race
	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			err := b.Verify(ctx, "alice", codes[0])
			if err == nil {
				wins.Add(1)
			} else {
				assert.ErrorIs(t, err, totp.ErrInvalidCode)
			}
		})
	}
	close(start)
	wg.Wait()
	assert.Equal(t, int32(1), wins.Load())
}

func TestBackupCodesAttemptLimit(t *testing.T) {
	ctx := context.Background()
	c := newClock(t0)
	shared := totp.NewMemoryStore()
	b, _ := newBackup(t, totp.BackupConfig{Now: c.Now, MaxFailures: 3, LockoutDuration: time.Minute, AttemptStore: shared})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	for range 3 {
		require.ErrorIs(t, b.Verify(ctx, "alice", "0000-0000-0000-0000"), totp.ErrInvalidCode)
	}
	err = b.Verify(ctx, "alice", codes[0])
	require.ErrorIs(t, err, totp.ErrLockedOut, "a right code during the lock-out")

	// The same store shared with a Verifier: the TOTP check is locked too.
	v := totp.MustNew(totp.Config{Issuer: "Example", Now: c.Now, AttemptStore: shared, MaxFailures: 3, LockoutDuration: time.Minute})
	err = v.Verify(ctx, "alice", mustSecret(t, testSeed), refCode(testSeed, totp.SHA1, 6, t0))
	require.ErrorIs(t, err, totp.ErrLockedOut, "a shared attempt store must lock both factors")

	c.Set(t0.Add(time.Minute))
	require.NoError(t, b.Verify(ctx, "alice", codes[0]))
}

// The stored form is the documented HMAC-SHA256(key, label, len(user), user,
// canonical code), recomputed here independently.
func TestBackupCodesStoredHash(t *testing.T) {
	ctx := context.Background()
	b, store := newBackup(t, totp.BackupConfig{Count: 5})
	codes, err := b.Generate(ctx, "alice")
	require.NoError(t, err)
	hashes, err := store.BackupCodes(ctx, "alice")
	require.NoError(t, err)
	want := map[string]bool{}
	for _, c := range codes {
		m := hmac.New(sha256.New, backupKey)
		m.Write([]byte("bulwark totp backup code v1\x00"))
		_ = binary.Write(m, binary.BigEndian, uint64(len("alice")))
		m.Write([]byte("alice"))
		m.Write([]byte(strings.ReplaceAll(c, "-", "")))
		want[string(m.Sum(nil))] = true
	}
	require.Len(t, hashes, 5)
	for _, h := range hashes {
		assert.True(t, want[string(h)], "stored hash is not HMAC-SHA256 of a code")
		for _, c := range codes {
			assert.False(t, bytes.Contains(h, []byte(c[:4])), "stored hash contains code text")
		}
	}
}

func TestBackupCodesFailClosed(t *testing.T) {
	ctx := context.Background()
	b, err := totp.NewBackupCodes(totp.BackupConfig{Key: backupKey, Store: failingStore{}})
	require.NoError(t, err)
	_, err = b.Generate(ctx, "alice")
	assert.ErrorIs(t, err, errDown)
	assert.ErrorIs(t, b.Verify(ctx, "alice", "0000-0000-0000-0000"), errDown)
	_, err = b.Remaining(ctx, "alice")
	assert.ErrorIs(t, err, errDown)
}

func TestNewBackupCodesValidatesConfig(t *testing.T) {
	store := totp.NewMemoryStore()
	for _, tc := range []struct {
		name  string
		cfg   totp.BackupConfig
		field string
	}{
		{"a missing key is rejected", totp.BackupConfig{Store: store}, "Key"},
		{"a 31-byte key is rejected", totp.BackupConfig{Key: make([]byte, 31), Store: store}, "Key"},
		{"a missing store is rejected", totp.BackupConfig{Key: backupKey}, "Store"},
		{"four codes are rejected", totp.BackupConfig{Key: backupKey, Store: store, Count: 4}, "Count"},
		{"51 codes are rejected", totp.BackupConfig{Key: backupKey, Store: store, Count: 51}, "Count"},
		{"21 failures are rejected", totp.BackupConfig{Key: backupKey, Store: store, MaxFailures: 21}, "MaxFailures"},
		{"a 1s lock-out is rejected", totp.BackupConfig{Key: backupKey, Store: store, LockoutDuration: time.Second}, "LockoutDuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := totp.NewBackupCodes(tc.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "BackupConfig."+tc.field)
		})
	}
}
