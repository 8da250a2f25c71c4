package headers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/headers"
)

// The CSP specification's own example: the script alert('Hello, world.');
// has this SHA-256 source (CSP3, section 2.3.1).
func TestHashSourceMatchesTheSpecExample(t *testing.T) {
	got := headers.HashSource([]byte("alert('Hello, world.');"))
	assert.Equal(t, headers.Source("'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"), got)
	require.NoError(t, headers.Policy{headers.ScriptSrc: {got}}.Validate())
}

func TestPolicyString(t *testing.T) {
	p := headers.Policy{
		headers.ReportTo:                {"csp"},
		headers.UpgradeInsecureRequests: nil,
		headers.FrameAncestors:          {headers.None},
		headers.ScriptSrc:               {headers.RequestNonce, headers.StrictDynamic, headers.StrictDynamic},
		headers.DefaultSrc:              {headers.Self},
	}
	assert.Equal(t,
		"default-src 'self'; script-src 'nonce-{per-request}' 'strict-dynamic'; frame-ancestors 'none'; upgrade-insecure-requests; report-to csp",
		p.String())
}

func TestDefaultPolicyIsAFreshCopy(t *testing.T) {
	p := headers.DefaultPolicy()
	p[headers.ScriptSrc][0] = "'unsafe-inline'"
	delete(p, headers.ObjectSrc)
	q := headers.DefaultPolicy()
	assert.Equal(t, []headers.Source{headers.RequestNonce, headers.StrictDynamic}, q[headers.ScriptSrc])
	assert.Equal(t, []headers.Source{headers.None}, q[headers.ObjectSrc])
}

func TestPolicyValidateAccepts(t *testing.T) {
	hash := headers.HashSource([]byte("x"))
	tests := []struct {
		name string
		p    headers.Policy
	}{
		{"the default policy", headers.DefaultPolicy()},
		{"'unsafe-inline' as a fallback next to a nonce", headers.Policy{headers.ScriptSrc: {headers.RequestNonce, headers.UnsafeInline, headers.StrictDynamic}}},
		{"'unsafe-inline' next to a hash", headers.Policy{headers.ScriptSrc: {hash, headers.UnsafeInline}}},
		{"https: as a fallback next to 'strict-dynamic'", headers.Policy{headers.ScriptSrc: {headers.RequestNonce, headers.StrictDynamic, "https:"}}},
		{"'unsafe-inline' in style-src", headers.Policy{headers.StyleSrc: {headers.Self, headers.UnsafeInline}}},
		{"hosts with ports, paths and wildcards outside scripts", headers.Policy{headers.ImgSrc: {"https://cdn.example.com:8443/img/", "*.example.com", "cdn.example.com:*", "*", "data:"}}},
		{"a script host", headers.Policy{headers.ScriptSrc: {"https://cdn.example.com/lib.js"}}},
		{"a URL-safe base64 sha512 hash", headers.Policy{headers.ScriptSrc: {headers.Source("'sha512-" + strings.Repeat("_-", 42) + "AA=='")}}},
		{"frame-ancestors with a host", headers.Policy{headers.FrameAncestors: {headers.Self, "https://partner.example"}}},
		{"sandbox with no flags", headers.Policy{headers.Sandbox: {}}},
		{"sandbox with flags", headers.Policy{headers.Sandbox: {"allow-forms", "allow-scripts"}}},
		{"trusted types", headers.Policy{headers.RequireTrustedTypesFor: {"'script'"}, headers.TrustedTypes: {"default", "dompurify", "'allow-duplicates'"}}},
		{"report-uri with a path and an https URL", headers.Policy{headers.DefaultSrc: {headers.Self}, headers.ReportURI: {"/csp", "https://r.example.com/csp"}}},
		{"a wildcard default-src when script-src is set", headers.Policy{headers.DefaultSrc: {"*"}, headers.ScriptSrc: {headers.Self}}},
		{"'wasm-unsafe-eval' in script-src", headers.Policy{headers.ScriptSrc: {headers.Self, headers.WasmUnsafeEval}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NoError(t, tt.p.Validate())
		})
	}
}

func TestPolicyValidateRejects(t *testing.T) {
	tests := []struct {
		name string
		p    headers.Policy
		want string // a substring of the error
	}{
		// Structure.
		{"an empty policy", headers.Policy{}, "no directives"},
		{"an unknown directive", headers.Policy{"scripts-src": {headers.Self}}, "unknown directive"},
		{"a fetch directive without sources", headers.Policy{headers.ImgSrc: {}}, "write 'none'"},
		{"'none' with another source", headers.Policy{headers.ObjectSrc: {headers.None, headers.Self}}, "'none' cannot be combined"},
		{"upgrade-insecure-requests with a source", headers.Policy{headers.UpgradeInsecureRequests: {headers.Self}}, "takes no sources"},
		{"an unknown sandbox flag", headers.Policy{headers.Sandbox: {"allow-everything"}}, "sandbox flag"},
		{"report-to with two names", headers.Policy{headers.ReportTo: {"a", "b"}}, "exactly one"},
		{"report-to with an uppercase name", headers.Policy{headers.ReportTo: {"CSP"}}, "exactly one"},
		{"report-uri over http", headers.Policy{headers.ReportURI: {"http://r.example.com/"}}, "https URL"},
		{"require-trusted-types-for something else", headers.Policy{headers.RequireTrustedTypesFor: {"'style'"}}, "'script'"},
		{"a bad trusted types name", headers.Policy{headers.TrustedTypes: {"a!b"}}, "policy name"},

		// Header injection.
		{"a source with a semicolon", headers.Policy{headers.ImgSrc: {"https://a.example; script-src *"}}, "';'"},
		{"a source with a comma", headers.Policy{headers.ImgSrc: {"https://a.example,"}}, "','"},
		{"a source with CRLF", headers.Policy{headers.ImgSrc: {"https://a.example\r\nSet-Cookie:x=y"}}, "control character"},
		{"a source with a space", headers.Policy{headers.ImgSrc: {"'self' *"}}, "whitespace"},
		{"a source with non-ASCII", headers.Policy{headers.ImgSrc: {"https://exämple.com"}}, "control character"},
		{"an empty source", headers.Policy{headers.ImgSrc: {""}}, "empty"},

		// Malformed sources.
		{"an unknown keyword", headers.Policy{headers.ScriptSrc: {"'unsafe-everything'"}}, "unknown keyword"},
		{"an unquoted keyword", headers.Policy{headers.ScriptSrc: {"self"}}, "did you mean 'self'"},
		{"a fixed nonce", headers.Policy{headers.ScriptSrc: {"'nonce-abc123'"}}, "replayable"},
		{"a hash of the wrong length", headers.Policy{headers.ScriptSrc: {"'sha256-AAAA'"}}, "malformed hash"},
		{"a hash with an unknown algorithm", headers.Policy{headers.ScriptSrc: {"'sha1-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"}}, "malformed hash"},
		{"a host with a bad port", headers.Policy{headers.ImgSrc: {"https://a.example:80a"}}, "malformed source"},
		{"a host with a query-like suffix", headers.Policy{headers.ImgSrc: {"a.example?x"}}, "malformed source"},
		{"a path containing the nonce placeholder", headers.Policy{headers.ImgSrc: {"https://a.example/'nonce-{per-request}'"}}, "malformed source"},
		{"a wildcard in the middle of a host", headers.Policy{headers.ImgSrc: {"https://a.*.example"}}, "malformed source"},

		// Script contradictions.
		{"* in script-src", headers.Policy{headers.ScriptSrc: {"*"}}, "any host"},
		{"* in default-src without script-src", headers.Policy{headers.DefaultSrc: {"*"}}, "any host"},
		{"* in script-src even with strict-dynamic", headers.Policy{headers.ScriptSrc: {headers.RequestNonce, headers.StrictDynamic, "*"}}, "any host"},
		{"'unsafe-inline' without nonce or hash", headers.Policy{headers.ScriptSrc: {headers.Self, headers.UnsafeInline}}, "'unsafe-inline' without a nonce or hash"},
		{"'unsafe-inline' in default-src without script-src", headers.Policy{headers.DefaultSrc: {headers.Self, headers.UnsafeInline}}, "'unsafe-inline'"},
		{"'unsafe-inline' in script-src-elem", headers.Policy{headers.ScriptSrcElem: {headers.UnsafeInline}}, "'unsafe-inline'"},
		{"data: in script-src", headers.Policy{headers.ScriptSrc: {headers.RequestNonce, "data:"}}, "data:"},
		{"http: in script-src", headers.Policy{headers.ScriptSrc: {"http:"}}, "http:"},
		{"an http host in script-src", headers.Policy{headers.ScriptSrc: {"http://cdn.example.com"}}, "http://cdn.example.com"},
		{"https: in script-src without strict-dynamic", headers.Policy{headers.ScriptSrc: {headers.Self, "https:"}}, "too many hosts"},
		{"a wildcard script host without strict-dynamic", headers.Policy{headers.ScriptSrc: {"*.example.com"}}, "too many hosts"},
		{"'strict-dynamic' without nonce or hash", headers.Policy{headers.ScriptSrc: {headers.StrictDynamic, headers.Self}}, "blocks every script"},
		{"'unsafe-hashes' without a hash", headers.Policy{headers.ScriptSrcAttr: {headers.UnsafeHashes}}, "'unsafe-hashes'"},

		// Sources in the wrong directive.
		{"a nonce in img-src", headers.Policy{headers.ImgSrc: {headers.RequestNonce}}, "outside script and style"},
		{"'unsafe-inline' in img-src", headers.Policy{headers.ImgSrc: {headers.UnsafeInline}}, "outside script and style"},
		{"'unsafe-eval' in style-src", headers.Policy{headers.StyleSrc: {headers.UnsafeEval}}, "outside script directives"},
		{"'unsafe-inline' in frame-ancestors", headers.Policy{headers.FrameAncestors: {headers.UnsafeInline}}, "frame-ancestors"},
		{"a hash in frame-ancestors", headers.Policy{headers.FrameAncestors: {headers.HashSource(nil)}}, "frame-ancestors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			require.Error(t, err, "Validate(%s) = nil", tt.p)
			assert.True(t, errors.Is(err, headers.ErrInvalidPolicy), "error %v does not wrap ErrInvalidPolicy", err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
