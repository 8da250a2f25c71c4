package audit

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// FuzzAppendJSON checks the hand-written encoder against encoding/json:
// every string must be escaped byte-for-byte as encoding/json escapes it,
// and every line must decode (with encoding/json) back to the event.
func FuzzAppendJSON(f *testing.F) {
	f.Add("auth.login_failed", "Mozilla/5.0", "ip", "203.0.113.7", "reason", int64(1773649805123456789))
	f.Add("a\u2028b", "<script>&", "k\"ey", "v\x00al", "\xff\xfe", int64(0))
	f.Add("\xed\xa0\x80", "\xc0\xaf", "émoji", "🙂", "\ufffd", int64(-62135596800000000))
	f.Add("", "", "", "", "x\n{\"time\":1}", int64(253402300799999999))
	f.Fuzz(func(t *testing.T, action, ua, key, value, reason string, unixNano int64) {
		for _, s := range []string{action, ua, key, value, reason} {
			require.Equal(t, stdString(t, s), string(appendString(nil, s)))
		}
		e := Event{
			Time:      time.Unix(0, unixNano),
			Action:    action,
			Outcome:   Outcome(reason),
			Severity:  Severity(key),
			Actor:     Actor{UserID: value, IP: key, UserAgent: ua},
			OrgID:     action,
			Target:    Target{Type: reason, ID: ua},
			RequestID: value,
			Reason:    reason,
			Metadata:  map[string]string{key: value, value: reason, "fixed": ua},
		}
		line := AppendJSON(nil, e)
		require.True(t, json.Valid(line), "%q", line)
		var got Event
		require.NoError(t, json.Unmarshal(line, &got))
		requireSameEvent(t, e, got)

		// And the same data as encoding/json's own encoding of the event.
		std, err := json.Marshal(e)
		require.NoError(t, err)
		var ours, theirs map[string]any
		require.NoError(t, json.Unmarshal(line, &ours))
		require.NoError(t, json.Unmarshal(std, &theirs))
		require.True(t, sameInstant(t, ours["time"], theirs["time"]))
		delete(ours, "time")
		delete(theirs, "time")
		require.Empty(t, cmp.Diff(theirs, ours))
	})
}

// fuzzLog is a valid three-record chain under key1.
func fuzzLog(t testing.TB) []byte {
	var buf bytes.Buffer
	writeChain(t, &buf, ChainConfig{}, 1, 3)
	return buf.Bytes()
}

// FuzzVerify feeds arbitrary bytes to Verify's parser. It must never
// panic, and since the fuzzer does not know key1, any input that verifies
// must be a whole-line prefix of the genuine log.
func FuzzVerify(f *testing.F) {
	valid := fuzzLog(f)
	lines := splitLines(valid)
	f.Add(valid)
	f.Add([]byte(lines[0]))
	f.Add([]byte(lines[1] + lines[0]))
	f.Add([]byte(strings.TrimSuffix(lines[0], "\n")))
	f.Add([]byte(""))
	f.Add([]byte("\n\n"))
	f.Add([]byte(`{"seq":1,"kid":"k1","event":{},"mac":"` + strings.Repeat("0", 64) + `"}` + "\n"))
	f.Add([]byte(`{"seq":18446744073709551615,"kid":"k1","event":{},"mac":"` + strings.Repeat("f", 64) + `"}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cp, err := VerifyConfig{Keys: []Key{key1}, MaxLineBytes: 4096}.Verify(bytes.NewReader(data))
		if err != nil {
			var ve *VerifyError
			require.ErrorAs(t, err, &ve)
			require.Positive(t, ve.Line)
			return
		}
		require.True(t, bytes.HasPrefix(valid, data), "forged log verified: %q", data)
		require.Equal(t, uint64(bytes.Count(data, []byte("\n"))), cp.Seq)
		require.True(t, len(data) == 0 || data[len(data)-1] == '\n')
	})
}

// FuzzParseCheckpoint: parsing never panics and what parses round-trips.
func FuzzParseCheckpoint(f *testing.F) {
	var buf bytes.Buffer
	f.Add(writeChain(f, &buf, ChainConfig{}, 1, 3).Checkpoint().String())
	f.Add("v1:0:k1:" + strings.Repeat("0", 64) + ":" + strings.Repeat("0", 64))
	f.Add("v1:::::")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCheckpoint(s)
		if err != nil {
			require.ErrorIs(t, err, ErrBadCheckpoint)
			return
		}
		require.Equal(t, s, c.String())
	})
}

// FuzzValidRequestID checks the validator against a regular expression
// written from its documentation, and that whatever it accepts is safe to
// put in a header and a log line.
func FuzzValidRequestID(f *testing.F) {
	for _, s := range []string{"abc", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "a\nb", "é", "<x>", "", strings.Repeat("a", 65), "a:b.c_d-e", "a b", "\x00"} {
		f.Add(s, 64)
	}
	re := regexp.MustCompile(`^[A-Za-z0-9._:-]+$`)
	f.Fuzz(func(t *testing.T, id string, maxLen int) {
		got := ValidRequestID(id, maxLen)
		want := len(id) >= 1 && len(id) <= maxLen && re.MatchString(id)
		require.Equal(t, want, got, "ValidRequestID(%q, %d)", id, maxLen)
		if got {
			require.Equal(t, `"`+id+`"`, string(appendString(nil, id)), "no JSON escaping needed")
		}
	})
}

// FuzzRedactURL: never panics, and no sensitive parameter survives.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"/r?token=a&x=1", "https://u:p@h/p?code=1#access_token=2", "http://[::1/?token=abc", "/s?%zz=1", "?a=1&&b=2;c=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := RedactURL(raw)
		if out == Redacted {
			return
		}
		u, err := url.Parse(strings.SplitN(out, "#", 2)[0])
		require.NoError(t, err, "RedactURL(%q) = %q", raw, out)
		require.Nil(t, u.User)
		for _, part := range strings.Split(u.RawQuery, "&") {
			name, _, _ := strings.Cut(part, "=")
			dec, err := url.QueryUnescape(name)
			require.NoError(t, err)
			require.False(t, IsSensitiveKey(dec), "RedactURL(%q) = %q kept %q", raw, out, name)
		}
	})
}

func sameInstant(t *testing.T, a, b any) bool {
	t.Helper()
	ta, err := time.Parse(time.RFC3339Nano, a.(string))
	require.NoError(t, err)
	tb, err := time.Parse(time.RFC3339Nano, b.(string))
	require.NoError(t, err)
	return ta.Equal(tb)
}
