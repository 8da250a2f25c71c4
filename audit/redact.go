package audit

import (
	"maps"
	"net/url"
	"strings"
)

// Redacted replaces the value of a sensitive metadata key.
const Redacted = "[REDACTED]"

// IsSensitiveKey reports whether a metadata key or URL query parameter name
// looks like it holds a secret. The name is normalized (ASCII lower case;
// '-', '_', '.' and spaces removed) and then matched:
//
//   - containing password, passwd, passphrase, passcode, secret, token,
//     apikey, accesskey, privatekey, privkey, signingkey, encryptionkey,
//     masterkey, hmackey, sshkey, clientkey, sessionkey, authkey,
//     accountkey, sharedkey, licensekey, pwd, otpauth, authorization,
//     cookie, credential, bearer, jwt, sessionid, signature,
//     connectionstring, or one of the one-time-code names authcode,
//     mfacode, otpcode, totpcode, smscode, verificationcode, resetcode,
//     backupcode, recoverycode, pincode;
//   - or equal to auth, code, key, sig, pass, pin, otp, totp, csrf,
//     xsrf, session, sid, ssn, cvv, cvc or dsn.
//
// The rule errs on the side of redacting: "token_count" is redacted too.
// It cannot recognise a secret stored under an innocent name ("note"); keep
// secrets out of events in the first place.
func IsSensitiveKey(name string) bool {
	var buf [64]byte
	n := normalizeKey(buf[:0], name)
	s := string(n)
	switch s {
	case "auth", "code", "key", "sig", "pass", "pin", "otp", "totp",
		"csrf", "xsrf", "session", "sid", "ssn", "cvv", "cvc", "dsn":
		return true
	}
	for _, part := range [...]string{
		"password", "passwd", "passphrase", "passcode", "secret", "token",
		"apikey", "accesskey", "privatekey", "privkey", "signingkey",
		"encryptionkey", "masterkey", "hmackey", "sshkey", "clientkey",
		"sessionkey", "authkey", "accountkey", "sharedkey", "licensekey",
		"pwd", "otpauth",
		"authorization", "cookie", "credential", "bearer", "jwt",
		"sessionid", "signature", "connectionstring",
		"authcode", "mfacode", "otpcode", "totpcode", "smscode",
		"verificationcode", "resetcode", "backupcode", "recoverycode", "pincode",
	} {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// normalizeKey appends name in ASCII lower case without '-', '_', '.' and
// spaces.
func normalizeKey(dst []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.' || c == ' ':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// redactor applies IsSensitiveKey plus application-specific exact names.
type redactor struct {
	extra map[string]bool // normalized names
}

func newRedactor(extra []string) redactor {
	r := redactor{extra: make(map[string]bool, len(extra))}
	for _, k := range extra {
		r.extra[string(normalizeKey(nil, k))] = true
	}
	return r
}

func (r redactor) sensitive(key string) bool {
	if IsSensitiveKey(key) {
		return true
	}
	if len(r.extra) == 0 {
		return false
	}
	var buf [64]byte
	return r.extra[string(normalizeKey(buf[:0], key))]
}

// metadata returns m with sensitive values replaced by [Redacted]. It
// returns m itself when nothing needs redacting, and a copy otherwise, so
// the caller's map is never modified.
func (r redactor) metadata(m map[string]string) map[string]string {
	var out map[string]string
	for k, v := range m {
		if v == Redacted || !r.sensitive(k) {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		out[k] = Redacted
	}
	if out == nil {
		return m
	}
	return out
}

// RedactURL returns raw with secrets removed, for recording a URL in an
// event: query parameters and fragment parameters whose names are
// sensitive by [IsSensitiveKey] (token, code, access_token, key, sig,
// X-Amz-Signature, …) are deleted, and user information
// ("user:password@") is dropped. Other parameters keep their order and
// encoding. A parameter whose value is itself a URL with a query or
// fragment (return_to=https://…%3Ftoken%3D…) is redacted the same way, up
// to three levels deep, also when it is escaped more than once, and so is
// a value that is itself a query (state=code%3D…%26x%3D1); parameters
// that do not decode are deleted, and so is a parameter any of whose
// ';'-separated parts is sensitive ("a=1;token=t"), since some servers
// split on ';'. A string
// that does not parse as a URL is replaced by [Redacted] as a whole, since
// its secrets cannot be located. The path is kept as it is: a secret in a
// path segment (a token in /approve/{token}) cannot be told from a name,
// so an application whose routes carry one must replace that segment
// itself, from the route's pattern, before recording the path.
func RedactURL(raw string) string { return redactURL(raw, 3) }

func redactURL(raw string, depth int) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	u, err := url.Parse(rest)
	if err != nil {
		return Redacted
	}
	u.User = nil
	u.RawQuery = redactQuery(u.RawQuery, depth)
	u.ForceQuery = false
	out := u.String()
	if hasFrag {
		if strings.Contains(frag, "=") {
			frag = redactQuery(frag, depth)
		}
		if frag != "" {
			out += "#" + frag
		}
	}
	return out
}

// redactQuery removes sensitive parameters from an encoded query string.
// A parameter whose name or value does not decode is removed too; values
// that are URLs themselves are redacted while depth lasts, and removed
// after.
func redactQuery(q string, depth int) string {
	if q == "" {
		return ""
	}
	var b strings.Builder
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		if strings.IndexByte(part, ';') >= 0 && hasSensitiveParam(part, ";") {
			// Some servers split parameters on ';' as well as '&'.
			continue
		}
		name, value, _ := strings.Cut(part, "=")
		dec, err := url.QueryUnescape(name)
		if err != nil || IsSensitiveKey(dec) {
			continue
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			continue // cannot see what it holds
		}
		// A URL may be escaped more than once (a return address inside a
		// redirect URI): decode until its query or fragment shows.
		layers := 1
		for !strings.ContainsAny(v, "?#") && hasEscapedDelimiter(v) && layers <= depth {
			next, err := url.QueryUnescape(v)
			if err != nil {
				break
			}
			v, layers = next, layers+1
		}
		var red string
		switch {
		case strings.ContainsAny(v, "?#"): // a URL
			if depth == 0 {
				continue
			}
			red = redactURL(v, depth-1)
		case hasEscapedDelimiter(v):
			continue // escaped too often to check
		case strings.IndexByte(v, '=') >= 0: // perhaps a query: "code=…&x=1"
			if depth == 0 {
				continue
			}
			red = redactQuery(v, depth-1)
		default:
			red = v
		}
		if red != v {
			for range layers {
				red = url.QueryEscape(red)
			}
			part = name + "=" + red
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// hasSensitiveParam reports whether any sep-separated parameter of q has a
// sensitive or undecodable name.
func hasSensitiveParam(q, sep string) bool {
	for p := range strings.SplitSeq(q, sep) {
		name, _, _ := strings.Cut(p, "=")
		dec, err := url.QueryUnescape(name)
		if err != nil || IsSensitiveKey(dec) {
			return true
		}
	}
	return false
}

// hasEscapedDelimiter reports whether s holds a percent-escaped '?', '#',
// '&', '=' or '%', the sign of a URL or query escaped once more.
func hasEscapedDelimiter(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		switch strings.ToUpper(s[i+1 : i+3]) {
		case "3F", "23", "26", "3D", "25":
			return true
		}
	}
	return false
}
