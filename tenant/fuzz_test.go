package tenant

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
)

// orgIDSpec is the documented org ID syntax, written independently of
// ValidOrgID's byte loop.
var orgIDSpec = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// FuzzOrgID feeds arbitrary org IDs through every extraction route and
// checks that only the exact member org is ever allowed, that malformed
// IDs never reach the membership backend, and that nothing panics or
// answers 500.
func FuzzOrgID(f *testing.F) {
	for _, seed := range []string{
		"acme", "ACME", "acme ", " acme", "acme\x00", "acme\n", "acme/x", "acme%2F", "%61cme",
		"0b6e1a52-5a47-4a37-9d0e-0f5c8d7e6a21", "42", "org:acme", ".", "..", "", "аcme",
		string(make128('a')), string(make128('a')) + "a", "acme,globex", "acme;globex",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := ValidOrgID(id), orgIDSpec.MatchString(id); got != want {
			t.Fatalf("ValidOrgID(%q) = %v, want %v", id, got, want)
		}

		members := MembershipsFunc(func(_ context.Context, org, user string) (Role, bool, error) {
			if !ValidOrgID(org) {
				t.Fatalf("backend asked about malformed org %q", org)
			}
			return RoleMember, org == "acme" && user == "mike", nil
		})
		check := func(route string, code int, seen Scope) {
			t.Helper()
			switch {
			case code == http.StatusOK && (id != "acme" || seen.OrgID() != "acme"):
				t.Fatalf("%s: org %q allowed with scope %v", route, id, seen)
			case code == http.StatusInternalServerError:
				t.Fatalf("%s: org %q answered 500", route, id)
			}
		}
		handler := func(seen *Scope) http.Handler {
			return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { *seen = MustFromContext(r.Context()) })
		}

		// Header route.
		hg := MustNew(Config{Memberships: members, UserID: headerUser, OrgHeader: "X-Org"})
		var seen Scope
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(userHeader, "mike")
		r.Header["X-Org"] = []string{id}
		rec := httptest.NewRecorder()
		hg.Require(PermRead)(handler(&seen)).ServeHTTP(rec, r)
		check("header", rec.Code, seen)
		if id == "acme" && rec.Code != http.StatusOK {
			t.Fatalf("header: member org refused with %d", rec.Code)
		}

		// Path route through a real ServeMux.
		pg := MustNew(Config{Memberships: members, UserID: headerUser})
		mux := http.NewServeMux()
		seen = Scope{}
		mux.Handle("GET /orgs/{org}/x", pg.Require(PermRead)(handler(&seen)))
		r, err := http.NewRequest("GET", "http://example.test/orgs/"+url.PathEscape(id)+"/x", nil)
		if err != nil {
			return
		}
		r.Header.Set(userHeader, "mike")
		rec = httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		check("path", rec.Code, seen)
	})
}
