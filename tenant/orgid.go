package tenant

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/bulwark-go/bulwark/internal/httptoken"
)

// maxOrgIDLen bounds organisation IDs accepted by [ValidOrgID].
const maxOrgIDLen = 128

// ValidOrgID is the default [Config.ValidOrgID]: it accepts 1 to 128 bytes
// of ASCII letters, digits, '-', '_', '.' and ':', which covers UUIDs,
// integers, ULIDs and slugs, and rejects everything else (spaces, control
// characters, '/', '%', non-ASCII).
func ValidOrgID(id string) bool {
	if len(id) == 0 || len(id) > maxOrgIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// orgExtractor returns the configured way of reading the org ID from a
// request, checking that at most one source is configured.
func orgExtractor(cfg Config) (func(*http.Request) (string, bool), error) {
	n := 0
	for _, set := range []bool{cfg.OrgPathValue != "", cfg.OrgHeader != "", cfg.OrgFunc != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("tenant: set at most one of Config.OrgPathValue, Config.OrgHeader and Config.OrgFunc")
	}
	switch {
	case cfg.OrgFunc != nil:
		return cfg.OrgFunc, nil
	case cfg.OrgHeader != "":
		if !httptoken.Valid(cfg.OrgHeader) {
			return nil, fmt.Errorf("tenant: Config.OrgHeader %q is not a valid header name", truncate(cfg.OrgHeader, 64))
		}
		return headerOrg(http.CanonicalHeaderKey(cfg.OrgHeader)).extract, nil
	}
	name := cfg.OrgPathValue
	if name == "" {
		name = "org"
	}
	if !validWildcard(name) {
		return nil, fmt.Errorf("tenant: Config.OrgPathValue %q is not a valid http.ServeMux wildcard name", truncate(name, 64))
	}
	return pathOrg(name).extract, nil
}

// pathOrg reads the org ID from a ServeMux path wildcard.
type pathOrg string

func (name pathOrg) extract(r *http.Request) (string, bool) {
	v := r.PathValue(string(name))
	return v, v != ""
}

// headerOrg reads the org ID from a request header that must appear
// exactly once. The key is already canonical.
type headerOrg string

func (key headerOrg) extract(r *http.Request) (string, bool) {
	vs := r.Header[string(key)]
	if len(vs) != 1 || vs[0] == "" {
		return "", false
	}
	return vs[0], true
}

// validWildcard reports whether s can be a ServeMux wildcard name (a Go
// identifier, ASCII only here).
func validWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
