package headers

import (
	"encoding/base64"
	"slices"
	"strings"
)

// Validate reports whether p is well formed and free of the contradictions
// that turn a policy into false comfort. The error wraps
// [ErrInvalidPolicy] and names the directive. It refuses:
//
//   - an empty policy, unknown directives, and fetch directives with no
//     sources (write [None] to allow nothing);
//   - sources containing characters that could end the header or the
//     directive (controls, whitespace, ';', ','), and malformed source
//     expressions;
//   - fixed nonces ('nonce-abc'): use [RequestNonce], which is new on every
//     request;
//   - 'none' together with other sources;
//   - in script directives (default-src, script-src, script-src-elem,
//     script-src-attr): "*", "data:", "http:", http:// hosts, and
//     'unsafe-inline' without a nonce or hash; "https:" unless
//     'strict-dynamic' makes it a fallback for old browsers;
//   - 'strict-dynamic' without a nonce or hash (it would block every
//     script) and 'unsafe-hashes' without a hash;
//   - nonces, hashes and 'unsafe-…' keywords outside script and style
//     directives, and anything but 'self', 'none', schemes and hosts in
//     frame-ancestors.
//
// Cross-checks with the rest of the configuration (that report-to names a
// configured endpoint) happen in [New].
func (p Policy) Validate() error {
	if len(p) == 0 {
		return p.errorf("policy", "no directives; leave Config.CSP nil for the default policy")
	}
	for _, d := range p.directives() {
		if err := p.validateDirective(d, p[d]); err != nil {
			return err
		}
	}
	return nil
}

func (p Policy) validateDirective(d Directive, src []Source) error {
	for _, s := range src {
		if !safeToken(string(s)) {
			return p.errorf(d, "source %q is empty or contains whitespace, a control character, ';' or ','", s)
		}
	}
	switch d {
	case UpgradeInsecureRequests:
		if len(src) != 0 {
			return p.errorf(d, "takes no sources")
		}
		return nil
	case Sandbox:
		for _, s := range src {
			if !isSandboxFlag(s) {
				return p.errorf(d, "unknown sandbox flag %q", s)
			}
		}
		return nil
	case ReportTo:
		if len(src) != 1 || !isToken(string(src[0])) {
			return p.errorf(d, "takes exactly one endpoint name")
		}
		return nil
	case ReportURI:
		if len(src) == 0 {
			return p.errorf(d, "needs at least one URL")
		}
		for _, s := range src {
			if !strings.HasPrefix(string(s), "https://") && !strings.HasPrefix(string(s), "/") {
				return p.errorf(d, "%q must be an https URL or an absolute path", s)
			}
		}
		return nil
	case RequireTrustedTypesFor:
		if len(src) != 1 || src[0] != "'script'" {
			return p.errorf(d, "takes exactly the source 'script'")
		}
		return nil
	case TrustedTypes:
		for _, s := range src {
			if s != None && s != "'allow-duplicates'" && s != "*" && !isPolicyName(string(s)) {
				return p.errorf(d, "%q is not a policy name, 'none', 'allow-duplicates' or *", s)
			}
		}
		return nil
	}
	if !slices.Contains(knownDirectives(), d) {
		return p.errorf(d, "unknown directive")
	}
	if len(src) == 0 {
		return p.errorf(d, "no sources; write 'none' to allow nothing")
	}
	if slices.Contains(src, None) && len(dedupe(src)) > 1 {
		return p.errorf(d, "'none' cannot be combined with other sources")
	}
	var nonceOrHash, hash, strictDynamic bool
	for _, s := range src {
		kind, err := classify(s)
		if err != nil {
			return p.errorf(d, "%v", err)
		}
		switch kind {
		case kindNonce:
			nonceOrHash = true
		case kindHash:
			nonceOrHash, hash = true, true
		}
		if s == StrictDynamic {
			strictDynamic = true
		}
		if err := allowedIn(d, s, kind); err != nil {
			return p.errorf(d, "%v", err)
		}
	}
	if !isScriptDirective(d) && !isStyleDirective(d) {
		return nil
	}
	if slices.Contains(src, UnsafeHashes) && !hash {
		return p.errorf(d, "'unsafe-hashes' without a hash source allows nothing and signals a mistake")
	}
	if !isScriptDirective(d) {
		return nil
	}
	if _, ok := p[ScriptSrc]; ok && d == DefaultSrc {
		// default-src governs scripts only as the fallback for a missing
		// script-src.
		return nil
	}
	if slices.Contains(src, UnsafeInline) && !nonceOrHash {
		return p.errorf(d, "'unsafe-inline' without a nonce or hash allows every injected inline script")
	}
	if strictDynamic && !nonceOrHash {
		return p.errorf(d, "'strict-dynamic' without a nonce or hash blocks every script")
	}
	for _, s := range src {
		switch {
		case s == "*":
			return p.errorf(d, "* allows scripts from any host")
		case s == "data:" || s == "http:" || strings.HasPrefix(string(s), "http://"):
			return p.errorf(d, "%s allows attacker-controlled or unauthenticated scripts", s)
		case (s == "https:" || strings.HasPrefix(string(s), "https://*") || strings.HasPrefix(string(s), "*")) && !strictDynamic:
			return p.errorf(d, "%s allows scripts from too many hosts (allowed only as a fallback next to 'strict-dynamic')", s)
		}
	}
	return nil
}

type sourceKind int

const (
	kindKeyword sourceKind = iota
	kindNonce
	kindHash
	kindScheme
	kindHost
)

// isKeyword reports whether s is a CSP keyword source.
func isKeyword(s Source) bool {
	switch s {
	case Self, None, StrictDynamic, ReportSample, UnsafeInline, UnsafeEval, UnsafeHashes, WasmUnsafeEval, "'inline-speculation-rules'":
		return true
	}
	return false
}

// isSandboxFlag reports whether s is an iframe sandbox flag.
func isSandboxFlag(s Source) bool {
	switch s {
	case "allow-downloads", "allow-forms", "allow-modals", "allow-orientation-lock",
		"allow-pointer-lock", "allow-popups", "allow-popups-to-escape-sandbox",
		"allow-presentation", "allow-same-origin", "allow-scripts",
		"allow-storage-access-by-user-activation", "allow-top-navigation",
		"allow-top-navigation-by-user-activation", "allow-top-navigation-to-custom-protocols":
		return true
	}
	return false
}

// classify parses one source expression of a source list (CSP3 section
// 2.3.1).
func classify(s Source) (sourceKind, error) {
	str := string(s)
	switch {
	case s == RequestNonce:
		return kindNonce, nil
	case strings.HasPrefix(str, "'nonce-"):
		return 0, errorString("fixed nonce " + str + " is replayable; use headers.RequestNonce for a per-request nonce")
	case strings.HasPrefix(str, "'sha"):
		if !validHash(str) {
			return 0, errorString("malformed hash source " + str + "; use headers.HashSource")
		}
		return kindHash, nil
	case strings.HasPrefix(str, "'"):
		if !isKeyword(s) {
			return 0, errorString("unknown keyword " + str)
		}
		return kindKeyword, nil
	case isKeyword("'" + s + "'"):
		return 0, errorString(str + " would be read as a host name; did you mean '" + str + "'?")
	case s == "*":
		return kindHost, nil
	case strings.HasSuffix(str, ":") && validScheme(str[:len(str)-1]):
		return kindScheme, nil
	}
	if !validHostSource(str) {
		return 0, errorString("malformed source " + str + " (want a keyword, scheme like https:, or host like https://cdn.example.com)")
	}
	return kindHost, nil
}

// allowedIn refuses sources that make no sense in directive d.
func allowedIn(d Directive, s Source, kind sourceKind) error {
	scriptOrStyle := isScriptDirective(d) || isStyleDirective(d)
	switch {
	case d == FrameAncestors && !(s == Self || s == None || kind == kindScheme || kind == kindHost):
		return errorString(string(s) + " is not allowed in frame-ancestors (only 'self', 'none', schemes and hosts)")
	case (kind == kindNonce || kind == kindHash || s == UnsafeInline || s == UnsafeHashes || s == StrictDynamic || s == ReportSample) && !scriptOrStyle:
		return errorString(string(s) + " has no effect outside script and style directives")
	case (s == UnsafeEval || s == WasmUnsafeEval) && !isScriptDirective(d):
		return errorString(string(s) + " has no effect outside script directives")
	}
	return nil
}

func isScriptDirective(d Directive) bool {
	return d == DefaultSrc || d == ScriptSrc || d == ScriptSrcElem || d == ScriptSrcAttr
}

func isStyleDirective(d Directive) bool {
	return d == StyleSrc || d == StyleSrcElem || d == StyleSrcAttr
}

// validHash accepts 'sha256-…', 'sha384-…' and 'sha512-…' whose value is
// standard or URL-safe base64 of a digest of the right length.
func validHash(s string) bool {
	body, ok := strings.CutSuffix(s[1:], "'")
	if !ok {
		return false
	}
	alg, b64, ok := strings.Cut(body, "-")
	if !ok {
		return false
	}
	want := map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}[alg]
	if want == 0 {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		if b, err := enc.Strict().DecodeString(b64); err == nil && len(b) == want {
			return true
		}
	}
	return false
}

// validHostSource parses host-source = [scheme "://"] host-part [":" port]
// [path], host-part = "*" / ["*."] labels.
func validHostSource(s string) bool {
	if strings.ContainsRune(s, '\'') {
		// Quotes belong to keywords, nonces and hashes only; refusing them
		// here also keeps the nonce placeholder out of paths.
		return false
	}
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if !validScheme(scheme) {
			return false
		}
		s = rest
	}
	end := strings.IndexAny(s, ":/")
	if end < 0 {
		end = len(s)
	}
	host, rest := s[:end], s[end:]
	if host == "*" {
		// any host
	} else {
		host = strings.TrimPrefix(host, "*.")
		if !validHostname(strings.ToLower(host)) {
			return false
		}
	}
	if port, ok := strings.CutPrefix(rest, ":"); ok {
		i := strings.IndexByte(port, '/')
		if i < 0 {
			i = len(port)
		}
		digits := port[:i]
		if digits != "*" && (digits == "" || strings.Trim(digits, "0123456789") != "") {
			return false
		}
		rest = port[i:]
	}
	if rest != "" && rest[0] != '/' {
		return false
	}
	return true
}

// safeToken reports whether s is non-empty visible ASCII without ';' or
// ',', which would end a directive or a header value.
func safeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ';' || c == ',' {
			return false
		}
	}
	return true
}

// isToken reports whether s is a non-empty run of lowercase letters,
// digits, '-' and '_' (reporting endpoint names).
func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isPolicyName accepts Trusted Types policy names: alphanumerics and
// "-#=_/@.%".
func isPolicyName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlpha(c) || c >= '0' && c <= '9' || strings.IndexByte("-#=_/@.%", c) >= 0) {
			return false
		}
	}
	return s != ""
}

type errorString string

func (e errorString) Error() string { return string(e) }
