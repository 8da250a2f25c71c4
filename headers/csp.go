package headers

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// A Policy is a Content Security Policy: a set of directives, each with its
// list of sources. The zero value (nil) given to [Config.CSP] means
// [DefaultPolicy].
//
// Build one as a literal, or start from [DefaultPolicy] and change it:
//
//	p := headers.DefaultPolicy()
//	p[headers.ImgSrc] = []headers.Source{headers.Self, "https://img.example.com"}
//
// A Policy is validated and serialized once, by [New]; changing it
// afterwards has no effect on the middleware. Directives are written in a
// fixed order, so the header is stable across runs.
type Policy map[Directive][]Source

// A Directive names a CSP directive (CSP Level 3). Only the directives
// listed as constants are accepted; an unknown name is almost always a
// typo that would silently leave the page unprotected.
type Directive string

// Fetch and document directives. Their sources are [Source] expressions.
const (
	DefaultSrc    Directive = "default-src"
	ScriptSrc     Directive = "script-src"
	ScriptSrcElem Directive = "script-src-elem"
	ScriptSrcAttr Directive = "script-src-attr"
	StyleSrc      Directive = "style-src"
	StyleSrcElem  Directive = "style-src-elem"
	StyleSrcAttr  Directive = "style-src-attr"
	ImgSrc        Directive = "img-src"
	FontSrc       Directive = "font-src"
	ConnectSrc    Directive = "connect-src"
	MediaSrc      Directive = "media-src"
	ObjectSrc     Directive = "object-src"
	ChildSrc      Directive = "child-src"
	FrameSrc      Directive = "frame-src"
	WorkerSrc     Directive = "worker-src"
	ManifestSrc   Directive = "manifest-src"
	BaseURI       Directive = "base-uri"
	FormAction    Directive = "form-action"
	// FrameAncestors accepts only [Self], [None], scheme and host sources.
	// It also decides X-Frame-Options; see [Config.CSP].
	FrameAncestors Directive = "frame-ancestors"
)

// Directives whose values are not source lists.
const (
	// Sandbox takes sandbox flags such as "allow-forms" as its sources; an
	// empty list applies every restriction.
	Sandbox Directive = "sandbox"
	// UpgradeInsecureRequests takes no sources.
	UpgradeInsecureRequests Directive = "upgrade-insecure-requests"
	// ReportTo takes exactly one source: the name of an endpoint in
	// [Config.ReportingEndpoints].
	ReportTo Directive = "report-to"
	// ReportURI takes absolute https URLs or paths. It is deprecated in
	// favour of ReportTo but is the only reporting mechanism some browsers
	// implement; sending both is common.
	ReportURI Directive = "report-uri"
	// RequireTrustedTypesFor takes exactly the source "'script'".
	RequireTrustedTypesFor Directive = "require-trusted-types-for"
	// TrustedTypes takes policy names, 'none' or 'allow-duplicates'.
	TrustedTypes Directive = "trusted-types"
)

// knownDirectives returns the known directives in serialization order.
func knownDirectives() []Directive {
	return []Directive{
		DefaultSrc, ScriptSrc, ScriptSrcElem, ScriptSrcAttr, StyleSrc, StyleSrcElem, StyleSrcAttr,
		ImgSrc, FontSrc, ConnectSrc, MediaSrc, ObjectSrc, ChildSrc, FrameSrc, WorkerSrc, ManifestSrc,
		BaseURI, FormAction, FrameAncestors, Sandbox, UpgradeInsecureRequests,
		RequireTrustedTypesFor, TrustedTypes, ReportURI, ReportTo,
	}
}

// A Source is one source expression: a keyword such as [Self], [RequestNonce], a
// hash from [HashSource], a scheme ("https:") or a host
// ("https://cdn.example.com", "*.example.com", "cdn.example.com:8443/js/").
// For [Sandbox], [ReportTo] and [TrustedTypes] it is a plain token.
type Source string

// Keyword sources.
const (
	Self          Source = "'self'"
	None          Source = "'none'"
	StrictDynamic Source = "'strict-dynamic'"
	ReportSample  Source = "'report-sample'"
	// UnsafeInline is refused in script directives unless the same
	// directive also has [RequestNonce] or a hash (where browsers ignore it, so it
	// only serves as a fallback for CSP1 browsers).
	UnsafeInline   Source = "'unsafe-inline'"
	UnsafeEval     Source = "'unsafe-eval'"
	UnsafeHashes   Source = "'unsafe-hashes'"
	WasmUnsafeEval Source = "'wasm-unsafe-eval'"
	// RequestNonce stands for the per-request nonce: the middleware replaces it
	// with 'nonce-<base64 of 16 random bytes>' and makes the value available
	// through [Nonce]. Only script and style directives accept it.
	RequestNonce Source = "'nonce-{per-request}'"
)

// HashSource returns the 'sha256-…' source that allows exactly one inline
// script or style whose text is content (byte for byte, including
// whitespace).
func HashSource(content []byte) Source {
	sum := sha256.Sum256(content)
	return Source("'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'")
}

// DefaultPolicy returns a new copy of the strict default policy:
//
//	default-src 'self'; script-src 'nonce-…' 'strict-dynamic'; object-src 'none';
//	base-uri 'none'; frame-ancestors 'none'; form-action 'self'
//
// It follows the "strict CSP" recommended by the W3C and web.dev: scripts
// run only when the server put the request's nonce on them (or they were
// loaded by such a script), so an injected <script> does not run.
func DefaultPolicy() Policy {
	return Policy{
		DefaultSrc:     {Self},
		ScriptSrc:      {RequestNonce, StrictDynamic},
		ObjectSrc:      {None},
		BaseURI:        {None},
		FrameAncestors: {None},
		FormAction:     {Self},
	}
}

// Clone returns a deep copy of p.
func (p Policy) Clone() Policy {
	if p == nil {
		return nil
	}
	c := make(Policy, len(p))
	for d, s := range p {
		c[d] = slices.Clone(s)
	}
	return c
}

// String returns the serialized policy as the middleware sends it, with
// [RequestNonce] written as its placeholder 'nonce-{per-request}'. It does not
// validate; see [Policy.Validate].
func (p Policy) String() string {
	var b strings.Builder
	for _, d := range p.directives() {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(string(d))
		for _, s := range dedupe(p[d]) {
			b.WriteByte(' ')
			b.WriteString(string(s))
		}
	}
	return b.String()
}

// directives returns p's directives in serialization order; unknown ones
// (which Validate refuses) come last, sorted.
func (p Policy) directives() []Directive {
	known := knownDirectives()
	out := make([]Directive, 0, len(p))
	for _, d := range known {
		if _, ok := p[d]; ok {
			out = append(out, d)
		}
	}
	var unknown []Directive
	for d := range maps.Keys(p) {
		if !slices.Contains(known, d) {
			unknown = append(unknown, d)
		}
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i] < unknown[j] })
	return append(out, unknown...)
}

func dedupe(s []Source) []Source {
	out := s[:0:0]
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// compiledPolicy is a serialized policy split around the nonce, so that a
// request costs one string concatenation.
type compiledPolicy struct {
	parts []string // len(parts) == nonces+1
	size  int      // sum of len(parts)
}

func compilePolicy(p Policy) compiledPolicy {
	s := p.String()
	parts := strings.Split(s, string(RequestNonce))
	if len(parts) > 1 {
		// Each placeholder becomes 'nonce-<24 base64 chars>'.
		for i := 0; i < len(parts)-1; i++ {
			parts[i] += "'nonce-"
			parts[i+1] = "'" + parts[i+1]
		}
	}
	n := 0
	for _, x := range parts {
		n += len(x)
	}
	return compiledPolicy{parts: parts, size: n}
}

// render writes the policy with nonce (24 base64 characters) inserted.
func (c *compiledPolicy) render(nonce string) string {
	if len(c.parts) == 1 {
		return c.parts[0]
	}
	var b strings.Builder
	b.Grow(c.size + (len(c.parts)-1)*len(nonce))
	b.WriteString(c.parts[0])
	for _, x := range c.parts[1:] {
		b.WriteString(nonce)
		b.WriteString(x)
	}
	return b.String()
}

func (p Policy) errorf(d Directive, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidPolicy, d, fmt.Sprintf(format, args...))
}
