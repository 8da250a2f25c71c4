package redisstore

import (
	"strings"
	"testing"

	"github.com/bulwark-go/bulwark/authn"
)

// FuzzDecodeSession feeds arbitrary field values to the decoder of stored
// sessions: a corrupt record must give an error, never a panic.
func FuzzDecodeSession(f *testing.F) {
	f.Add("alice|1772366400000|1772373600000|1772366400000|1772366400000|3|ua|192.0.2.1|{\"org\":\"acme\"}")
	f.Add("alice|x|1|1|1|70000|||")
	f.Add("|||||||| ")
	f.Fuzz(func(t *testing.T, joined string) {
		parts := strings.Split(joined, "|")
		v := make([]any, len(parts))
		for i, p := range parts {
			v[i] = p
		}
		s, err := sessionDecodeRecord(authn.SessionID{1}, v)
		if err == nil && (s.ID != authn.SessionID{1} || s.UserID != parts[0] || len(parts) != 9) {
			t.Fatalf("decoded %+v from %q", s, joined)
		}
		_, _ = refreshDecodeFamily(v)
	})
}
