package headers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// hstsValue serializes Strict-Transport-Security, or returns "" when
// disabled.
func hstsValue(c HSTS) (string, error) {
	if c.InsecureDisable {
		if c.Preload || c.MaxAge != 0 || c.InsecureOmitSubDomains {
			return "", fmt.Errorf("%w: HSTS.InsecureDisable contradicts the other HSTS fields", ErrInvalidConfig)
		}
		return "", nil
	}
	age := c.MaxAge
	if age == 0 {
		age = defaultHSTSMaxAge
	}
	if age < minHSTSMaxAge {
		return "", fmt.Errorf("%w: HSTS.MaxAge %v is under one year", ErrInvalidConfig, age)
	}
	if c.Preload && c.InsecureOmitSubDomains {
		return "", fmt.Errorf("%w: HSTS.Preload requires includeSubDomains, but InsecureOmitSubDomains is set", ErrInvalidConfig)
	}
	v := "max-age=" + strconv.FormatInt(int64(age.Seconds()), 10)
	if !c.InsecureOmitSubDomains {
		v += "; includeSubDomains"
	}
	if c.Preload {
		v += "; preload"
	}
	return v, nil
}

// permissionsPolicy serializes a Permissions-Policy structured header
// (a dictionary of inner lists), sorted by feature name.
func permissionsPolicy(m map[string][]string) (string, error) {
	names := make([]string, 0, len(m))
	for f := range m {
		if !isToken(f) || strings.ContainsRune(f, '_') || !isAlpha(f[0]) {
			return "", fmt.Errorf("%w: Permissions: %q is not a feature name", ErrInvalidConfig, f)
		}
		names = append(names, f)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, f := range names {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f)
		b.WriteByte('=')
		list := m[f]
		if slices.Contains(list, "*") {
			if len(list) != 1 {
				return "", fmt.Errorf("%w: Permissions[%q]: \"*\" cannot be combined with other entries", ErrInvalidConfig, f)
			}
			b.WriteByte('*')
			continue
		}
		b.WriteByte('(')
		for i, o := range list {
			if i > 0 {
				b.WriteByte(' ')
			}
			if o == "self" {
				b.WriteString("self")
				continue
			}
			if _, _, _, err := checkOrigin(o); err != nil {
				return "", fmt.Errorf("%w: Permissions[%q]: want \"self\", \"*\" or an origin: %v", ErrInvalidConfig, f, err)
			}
			b.WriteString(strconv.Quote(o))
		}
		b.WriteByte(')')
	}
	return b.String(), nil
}

// reportingEndpoints serializes Reporting-Endpoints, sorted by name.
func reportingEndpoints(m map[string]string) (string, error) {
	names := make([]string, 0, len(m))
	for n, u := range m {
		if !isToken(n) || !isAlpha(n[0]) {
			return "", fmt.Errorf("%w: ReportingEndpoints: %q is not an endpoint name (lowercase letters, digits, '-', '_')", ErrInvalidConfig, n)
		}
		if !safeToken(u) || strings.ContainsAny(u, `"\`) || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) {
			return "", fmt.Errorf("%w: ReportingEndpoints[%q]: %q must be an https URL or an absolute path, without quotes, spaces, ';' or ','", ErrInvalidConfig, n, u)
		}
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + `="` + m[n] + `"`
	}
	return strings.Join(parts, ", "), nil
}
