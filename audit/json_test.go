package audit

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden (review the diff before committing)")

// stdString is the reference: encoding/json's encoding of a string.
func stdString(t testing.TB, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

// sanitize returns s as encoding/json decodes it after encoding: invalid
// UTF-8 bytes become U+FFFD.
func sanitize(s string) string { return string([]rune(s)) }

func TestAsciiEscapeTableMatchesEncodingJSON(t *testing.T) {
	for b := range 128 {
		s := string(rune(b))
		got := string(appendString(nil, s))
		require.Equal(t, stdString(t, s), got, "byte %#02x", b)
	}
}

// ---- string escaping against encoding/json ----

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	tests := []struct{ name, in string }{
		{"an empty string stays empty", ""},
		{"plain ASCII passes through", "member.role_changed"},
		{"quotes and backslashes are escaped", `say "hi" \ bye`},
		{"short escapes are used for common controls", "a\b\f\n\r\tb"},
		{"other controls use \\u00XX with lowercase hex", "\x00\x01\x1f\x1b"},
		{"HTML specials are escaped", "<script>alert(1)&</script>"},
		{"DEL is written verbatim", "\x7f"},
		{"multi-byte UTF-8 passes through", "héllo wörld 日本 🙂"},
		{"line and paragraph separators are escaped", "a\u2028b\u2029c"},
		{"a lone continuation byte becomes U+FFFD", "a\x80b"},
		{"a truncated sequence becomes U+FFFD", "a\xe6\x97"},
		{"an overlong encoding is invalid", "\xc0\xaf"},
		{"an encoded surrogate is invalid", "\xed\xa0\x80"},
		{"U+FFFD itself stays verbatim", "\ufffd"},
		{"invalid bytes at the very end are replaced", "end\xff"},
		{"a forged JSON field cannot break out", `","action":"auth.logout`},
		{"a forged log line cannot break out", "x\n{\"time\":\"1970\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendString(nil, tt.in))
			require.Equal(t, stdString(t, tt.in), got)
		})
	}
}

// ---- whole events ----

var goldenTime = time.Date(2026, 3, 16, 9, 30, 5, 123000000, time.FixedZone("CET", 3600))

var goldenEvents = []struct {
	file  string
	event Event
}{
	{"minimal", Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Action: ActionLogout}},
	{"full", Event{
		Time:      goldenTime,
		Action:    ActionMemberRoleChanged,
		Outcome:   Success,
		Severity:  SeverityMedium,
		Actor:     Actor{UserID: "u_123", IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"},
		OrgID:     "org_42",
		Target:    Target{Type: "member", ID: "u_456"},
		RequestID: "01HZY3K6V9",
		Reason:    "promoted by owner",
		Metadata:  map[string]string{"to": "admin", "from": "member", "Zeta": "1"},
	}},
	{"hostile", Event{
		Time:     time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		Action:   ActionLoginFailed,
		Outcome:  Failure,
		Severity: SeverityHigh,
		Actor:    Actor{IP: "2001:db8::1", UserAgent: "curl\n{\"action\":\"auth.logout\"}\u2028<script>&"},
		Reason:   "bad \xffbyte",
		Metadata: map[string]string{"k\"ey": "v\x00al", "émoji": "🙂"},
	}},
	{"partial_actor_target", Event{
		Time:    time.Date(2000, 2, 29, 0, 0, 0, 1, time.UTC),
		Action:  ActionAccessDenied,
		Outcome: Denied,
		Actor:   Actor{UserAgent: "ua-only"},
		Target:  Target{ID: "id-only"},
	}},
}

func TestAppendJSONGolden(t *testing.T) {
	for _, g := range goldenEvents {
		t.Run(g.file, func(t *testing.T) {
			got := AppendJSON(nil, g.event)
			path := filepath.Join("testdata", g.file+".golden.json")
			if *updateGolden {
				require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(bytes.TrimSuffix(want, []byte("\n"))), string(got))
		})
	}
}

// The golden files are independently checked by decoding them with
// encoding/json: they must hold the event's data, normalised the way JSON
// normalises it.
func TestGoldenFilesDecodeToTheirEvents(t *testing.T) {
	for _, g := range goldenEvents {
		t.Run(g.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", g.file+".golden.json"))
			require.NoError(t, err)
			require.True(t, json.Valid(raw))
			var got Event
			require.NoError(t, json.Unmarshal(raw, &got))
			requireSameEvent(t, g.event, got)
		})
	}
}

func TestAppendJSONTimeIsUTCWithNineDigits(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"a zoned time is converted to UTC", goldenTime, "2026-03-16T08:30:05.123000000Z"},
		{"whole seconds keep nine zero digits", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000000Z"},
		{"the zero time is year one", time.Time{}, "0001-01-01T00:00:00.000000000Z"},
		{"a year past 9999 is clamped", time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), "9999-12-31T23:59:59.999999999Z"},
		{"a negative year is clamped", time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), "0000-01-01T00:00:00.000000000Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct{ Time string }
			require.NoError(t, json.Unmarshal(AppendJSON(nil, Event{Time: tt.in}), &got))
			require.Equal(t, tt.want, got.Time)
			_, err := time.Parse(time.RFC3339Nano, got.Time)
			require.NoError(t, err)
		})
	}
}

func TestAppendJSONMetadataKeysAreSortedLikeEncodingJSON(t *testing.T) {
	m := map[string]string{}
	for i := range 40 { // more than the stack array holds
		m[string(rune('a'+i%26))+strings.Repeat("x", i)] = "v"
	}
	want, err := json.Marshal(m)
	require.NoError(t, err)
	got := AppendJSON(nil, Event{Metadata: m})
	require.True(t, bytes.HasSuffix(got, append(append([]byte(`"metadata":`), want...), '}')), "got %s", got)
}

// requireSameEvent checks that got is want after a JSON round trip:
// strings made valid UTF-8, time in UTC, empty metadata as nil.
func requireSameEvent(t testing.TB, want, got Event) {
	t.Helper()
	require.Empty(t, cmp.Diff(normalize(want), normalize(got)))
}

func normalize(e Event) Event {
	e.Time = e.Time.UTC()
	for _, p := range []*string{&e.Action, &e.Actor.UserID, &e.Actor.IP, &e.Actor.UserAgent,
		&e.OrgID, &e.Target.Type, &e.Target.ID, &e.RequestID, &e.Reason} {
		*p = sanitize(*p)
	}
	e.Outcome = Outcome(sanitize(string(e.Outcome)))
	e.Severity = Severity(sanitize(string(e.Severity)))
	if len(e.Metadata) == 0 {
		e.Metadata = nil
	} else {
		// Distinct invalid keys can sanitize to the same key; the encoding
		// writes keys in raw sorted order and decoding keeps the last.
		m := make(map[string]string, len(e.Metadata))
		for _, k := range slices.Sorted(maps.Keys(e.Metadata)) {
			m[sanitize(k)] = sanitize(e.Metadata[k])
		}
		e.Metadata = m
	}
	return e
}

func TestSanitizeHelperReplacesEachInvalidByte(t *testing.T) {
	require.Equal(t, "a\ufffd\ufffdb", sanitize("a\xff\xfeb"))
	require.True(t, utf8.ValidString(sanitize("\xed\xa0\x80")))
}
