package egress

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidateURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr error // nil: accepted
	}{
		// Accepted.
		{"https base URL", "https://acme.atlassian.net", nil},
		{"http with path", "http://dev.azure.com/org/project", nil},
		{"explicit default port", "https://api.github.com:443/", nil},
		{"upper-case scheme and host", "HTTPS://API.GitHub.com/", nil},
		{"public IPv4 literal", "https://93.184.215.14/", nil},
		{"public IPv6 literal", "https://[2606:4700::1111]/", nil},

		// Scheme.
		{"ftp scheme", "ftp://example.com/", ErrScheme},
		{"file scheme", "file:///etc/passwd", ErrScheme},
		{"gopher scheme", "gopher://example.com:70/", ErrScheme},
		{"missing scheme", "example.com/path", ErrScheme},
		{"javascript scheme", "javascript:alert(1)", ErrScheme},

		// Credentials.
		{"user and password", "https://user:pass@example.com/", ErrCredentials},
		{"user only", "https://token@example.com/", ErrCredentials},

		// Ports.
		{"non-default port", "https://example.com:8443/", ErrPort},
		{"redis port", "http://example.com:6379/", ErrPort},
		{"port zero", "http://example.com:0/", ErrInvalidURL},
		{"port out of range", "http://example.com:99999/", ErrInvalidURL},

		// Denied IP literals.
		{"loopback", "http://127.0.0.1/", ErrDeniedAddress},
		{"loopback elsewhere in 127/8", "http://127.1.2.3/", ErrDeniedAddress},
		{"metadata", "http://169.254.169.254/latest/meta-data/", ErrDeniedAddress},
		{"IPv6 loopback", "http://[::1]/", ErrDeniedAddress},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/", ErrDeniedAddress},
		{"IPv4-mapped loopback in hex", "http://[::ffff:7f00:1]/", ErrDeniedAddress},
		{"AWS IPv6 metadata", "http://[fd00:ec2::254]/", ErrDeniedAddress},
		{"private range", "https://10.0.0.1/", ErrDeniedAddress},
		{"unspecified", "http://0.0.0.0/", ErrDeniedAddress},
		{"localhost", "http://localhost/", ErrDeniedAddress},
		{"localhost with trailing dot", "http://localhost./", ErrDeniedAddress},
		{"LOCALHOST in capitals", "http://LOCALHOST/", ErrDeniedAddress},
		{"subdomain of localhost", "http://app.localhost/", ErrDeniedAddress},

		// Ambiguous spellings of addresses.
		{"decimal IPv4", "http://2130706433/", ErrAmbiguousHost},
		{"octal IPv4", "http://0177.0.0.1/", ErrAmbiguousHost},
		{"hex IPv4", "http://0x7f.0.0.1/", ErrAmbiguousHost},
		{"hex whole IPv4", "http://0x7f000001/", ErrAmbiguousHost},
		{"short IPv4", "http://127.1/", ErrAmbiguousHost},
		{"IPv6 zone", "http://[fe80::1%25eth0]/", ErrAmbiguousHost},

		// Malformed.
		{"empty", "", ErrScheme},
		{"no host", "https:///path", ErrInvalidURL},
		{"space in URL", "https://exa mple.com/", ErrInvalidURL},
		{"newline in URL", "https://example.com/\r\nHost: evil", ErrInvalidURL},
		{"label starting with a hyphen", "https://-bad-.example.com/", ErrInvalidURL},
		{"unicode host", "https://exämple.com/", ErrInvalidURL},
		{"too long", "https://example.com/" + strings.Repeat("a", 3000), ErrInvalidURL},
	}
	p := mustPolicy(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := p.ValidateURL(tt.url)
			if tt.wantErr == nil {
				require.NoError(t, err, "ValidateURL(%q)", tt.url)
				assert.Equal(t, strings.ToLower(u.Scheme), u.Scheme)
				assert.Equal(t, strings.ToLower(u.Host), u.Host)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr, "ValidateURL(%q)", tt.url)
		})
	}
}

func TestValidateURLWithConfiguredPortsAndHosts(t *testing.T) {
	p := mustPolicy(t, Config{
		AllowedSchemes: []string{"https"},
		AllowedPorts:   []uint16{443, 8443},
		AllowedHosts:   []string{"Jira.Corp.Example."},
	})
	_, err := p.ValidateURL("https://example.com:8443/")
	assert.NoError(t, err, "configured port")
	_, err = p.ValidateURL("http://example.com/")
	assert.ErrorIs(t, err, ErrScheme, "http refused when only https is allowed")
	_, err = p.ValidateURL("https://jira.corp.example/")
	assert.NoError(t, err, "allowed host, matched case-insensitively without the trailing dot")
}

func TestValidateURLErrorsDoNotEchoCredentials(t *testing.T) {
	p := mustPolicy(t, Config{})
	_, err := p.ValidateURL("https://admin:hunter2@example.com/")
	require.ErrorIs(t, err, ErrCredentials)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestCheckURLNil(t *testing.T) {
	assert.ErrorIs(t, mustPolicy(t, Config{}).CheckURL(nil), ErrInvalidURL)
}
