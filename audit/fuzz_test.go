package audit

import (
	"encoding/json"
	"testing"
	"time"

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
	})
}
