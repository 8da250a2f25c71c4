package egress

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustPolicy(t testing.TB, cfg Config) *Policy {
	t.Helper()
	p, err := NewPolicy(cfg)
	require.NoError(t, err)
	return p
}

// These tests only classify addresses; nothing is dialled.
func TestCheckAddrDefaultDenyList(t *testing.T) {
	tests := []struct {
		addr  string
		class string // "" means permitted
	}{
		// Public unicast is permitted.
		{"8.8.8.8", ""},
		{"1.1.1.1", ""},
		{"2606:4700:4700::1111", ""},
		{"::ffff:8.8.8.8", ""},  // IPv4-mapped public address
		{"2002:808:808::1", ""}, // 6to4 embedding a public address

		// IPv4 special-purpose ranges.
		{"0.0.0.0", ClassUnspecified},
		{"0.1.2.3", ClassUnspecified},
		{"10.0.0.1", ClassPrivate},
		{"10.255.255.255", ClassPrivate},
		{"100.64.0.1", ClassSharedAddress},
		{"100.127.255.254", ClassSharedAddress},
		{"127.0.0.1", ClassLoopback},
		{"127.255.255.254", ClassLoopback},
		{"169.254.169.254", ClassMetadata},
		{"169.254.170.2", ClassMetadata},
		{"100.100.100.200", ClassMetadata},
		{"169.254.1.1", ClassLinkLocal},
		{"172.16.0.1", ClassPrivate},
		{"172.31.255.255", ClassPrivate},
		{"192.0.0.170", ClassReserved},
		{"192.0.2.1", ClassDocumentation},
		{"192.88.99.1", ClassTranslated},
		{"192.168.1.1", ClassPrivate},
		{"198.18.0.1", ClassReserved},
		{"198.51.100.1", ClassDocumentation},
		{"203.0.113.1", ClassDocumentation},
		{"224.0.0.1", ClassMulticast},
		{"239.255.255.250", ClassMulticast},
		{"240.0.0.1", ClassReserved},
		{"255.255.255.255", ClassBroadcast},

		// Just outside the private ranges.
		{"172.32.0.1", ""},
		{"100.128.0.1", ""},
		{"11.0.0.1", ""},
		{"192.169.0.1", ""},

		// IPv6.
		{"::", ClassUnspecified},
		{"::1", ClassLoopback},
		{"fe80::1", ClassLinkLocal},
		{"fec0::1", ClassPrivate},
		{"fc00::1", ClassUniqueLocal},
		{"fd12:3456::1", ClassUniqueLocal},
		{"fd00:ec2::254", ClassMetadata},
		{"ff02::1", ClassMulticast},
		{"2001:db8::1", ClassDocumentation},
		{"3fff::1", ClassDocumentation},
		{"100::1", ClassReserved},

		// IPv6 forms of denied IPv4 addresses.
		{"::ffff:127.0.0.1", ClassLoopback},
		{"::ffff:169.254.169.254", ClassMetadata},
		{"::ffff:10.0.0.1", ClassPrivate},
		{"::127.0.0.1", ClassTranslated},        // IPv4-compatible
		{"::ffff:0:127.0.0.1", ClassTranslated}, // IPv4-translated
		{"64:ff9b::7f00:1", ClassTranslated},    // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", ClassTranslated},   // NAT64, even of a public address
		{"64:ff9b:1::a00:1", ClassTranslated},   // local-use NAT64
		{"2001:0:4136:e378::1", ClassTranslated},
		{"2002:7f00:1::1", ClassTranslated},  // 6to4 embedding 127.0.0.1
		{"2002:a9fe:a9fe::1", ClassMetadata}, // 6to4 embedding 169.254.169.254
	}
	p := mustPolicy(t, Config{})
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := p.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.class == "" {
				assert.NoError(t, err, "CheckAddr(%s)", tt.addr)
				return
			}
			var de *DeniedError
			require.ErrorAs(t, err, &de, "CheckAddr(%s) = %v, want denied", tt.addr, err)
			assert.ErrorIs(t, err, ErrDeniedAddress)
			assert.Equal(t, tt.class, de.Class, "CheckAddr(%s) class", tt.addr)
		})
	}
}

func TestCheckAddrInvalidAndZoned(t *testing.T) {
	p := mustPolicy(t, Config{})
	assert.ErrorIs(t, p.CheckAddr(netip.Addr{}), ErrDeniedAddress)
	assert.ErrorIs(t, p.CheckAddr(netip.MustParseAddr("2606:4700::1%eth0")), ErrDeniedAddress)
}

func TestCheckAddrConfiguredLists(t *testing.T) {
	p := mustPolicy(t, Config{
		AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16"), netip.MustParsePrefix("::ffff:192.168.5.0/120")},
		DeniedPrefixes:  []netip.Prefix{netip.MustParsePrefix("10.20.99.0/24"), netip.MustParsePrefix("203.0.0.0/8")},
	})
	tests := []struct {
		name    string
		addr    string
		allowed bool
	}{
		{"allowed prefix opens a private range", "10.20.1.1", true},
		{"allowed prefix does not open its neighbours", "10.21.1.1", false},
		{"denied prefix beats allowed prefix", "10.20.99.1", false},
		{"denied prefix closes a public range", "203.1.2.3", false},
		{"mapped allowed prefix matches the IPv4 address", "192.168.5.9", true},
		{"mapped address inside an allowed prefix", "::ffff:10.20.3.3", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.CheckAddr(netip.MustParseAddr(tt.addr))
			if tt.allowed {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrDeniedAddress)
			}
		})
	}
}

func TestControl(t *testing.T) {
	p := mustPolicy(t, Config{AllowedHosts: []string{"jira.corp.example"}, DeniedPrefixes: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")}})
	ctx := context.Background()
	allowedCtx := context.WithValue(ctx, allowedHostKey{}, true)
	tests := []struct {
		name    string
		ctx     context.Context
		network string
		address string
		wantErr error
	}{
		{"public address on 443", ctx, "tcp", "93.184.215.14:443", nil},
		{"public IPv6 on 80", ctx, "tcp6", "[2606:4700::1]:80", nil},
		{"private address", ctx, "tcp4", "10.0.0.1:443", ErrDeniedAddress},
		{"metadata address", ctx, "tcp", "169.254.169.254:80", ErrDeniedAddress},
		{"IPv4-mapped loopback", ctx, "tcp6", "[::ffff:127.0.0.1]:80", ErrDeniedAddress},
		{"public address on a port outside the list", ctx, "tcp", "93.184.215.14:6379", ErrPort},
		{"UDP is refused", ctx, "udp", "93.184.215.14:443", ErrNetwork},
		{"unparseable address", ctx, "tcp", "example.com:443", ErrDeniedAddress},
		{"allowed host may reach a private address", allowedCtx, "tcp", "10.1.2.3:443", nil},
		{"allowed host still cannot reach metadata", allowedCtx, "tcp", "169.254.169.254:443", ErrDeniedAddress},
		{"allowed host still obeys denied prefixes", allowedCtx, "tcp", "10.9.1.1:443", ErrDeniedAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Control(tt.ctx, tt.network, tt.address, nil)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestNewPolicyRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"ftp scheme", Config{AllowedSchemes: []string{"ftp"}}, "AllowedSchemes"},
		{"upper-case scheme", Config{AllowedSchemes: []string{"HTTPS"}}, "AllowedSchemes"},
		{"port zero", Config{AllowedPorts: []uint16{0}}, "AllowedPorts"},
		{"ports and any port", Config{AllowedPorts: []uint16{8080}, UnsafeAnyPort: true}, "UnsafeAnyPort"},
		{"wildcard host", Config{AllowedHosts: []string{"*.corp.example"}}, "AllowedHosts"},
		{"empty host", Config{AllowedHosts: []string{" "}}, "AllowedHosts"},
		// An IP literal never goes through the name check, so listing one
		// here would silently allow nothing: it belongs in AllowedPrefixes.
		{"IPv4 literal host", Config{AllowedHosts: []string{"10.1.2.3"}}, "AllowedPrefixes"},
		{"IPv6 literal host", Config{AllowedHosts: []string{"fd00::1"}}, "AllowedHosts"},
		{"host that no URL can carry", Config{AllowedHosts: []string{"jira#corp.example"}}, "AllowedHosts"},
		{"numeric host", Config{AllowedHosts: []string{"0x0a010203"}}, "AllowedHosts"},
		{"unmasked allowed prefix", Config{AllowedPrefixes: []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}}, "AllowedPrefixes"},
		{"invalid denied prefix", Config{DeniedPrefixes: []netip.Prefix{{}}}, "DeniedPrefixes"},
		{"negative dial timeout", Config{DialTimeout: -1}, "DialTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPolicy(tt.cfg)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrConfig), "error %v is not ErrConfig", err)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestZeroConfigDefaults(t *testing.T) {
	p := mustPolicy(t, Config{})
	assert.Equal(t, []string{"http", "https"}, p.schemes)
	assert.Equal(t, []uint16{80, 443}, p.ports)
	assert.Equal(t, 5, p.maxRedirects)
	assert.Equal(t, int64(10<<20), p.maxBody)
	assert.Nil(t, p.proxy)
}

// An allowed host may reach private addresses, but never the cloud metadata
// service, including through IPv6 forms that lead to its IPv4 address.
func TestAllowedHostCannotReachMetadataThroughTranslatedForms(t *testing.T) {
	p := mustPolicy(t, Config{AllowedHosts: []string{"jira.corp.example"}})
	for _, tt := range []struct{ name, addr string }{
		{"the IPv4 address itself", "169.254.169.254"},
		{"IPv4-mapped", "::ffff:169.254.169.254"},
		{"NAT64 well-known prefix", "64:ff9b::a9fe:a9fe"},
		{"NAT64 local-use prefix, /96 layout", "64:ff9b:1::a9fe:a9fe"},
		{"NAT64 local-use prefix, RFC 6052 /48 layout", "64:ff9b:1:a9fe:a9:fe00::"},
		{"IPv4-compatible", "::a9fe:a9fe"},
		{"IPv4-translated (SIIT)", "::ffff:0:a9fe:a9fe"},
		{"6to4", "2002:a9fe:a9fe::1"},
		{"Teredo client (obfuscated)", "2001:0:4136:e378:8000:63bf:5601:5601"},
		{"Teredo server", "2001:0:a9fe:a9fe::1"},
		{"Alibaba metadata over NAT64", "64:ff9b::6464:64c8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := p.checkAddr(netip.MustParseAddr(tt.addr), true)
			var de *DeniedError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, ClassMetadata, de.Class)
		})
	}
	// Translated forms of ordinary private addresses stay open to an
	// allowed host, like the private addresses themselves.
	assert.NoError(t, p.checkAddr(netip.MustParseAddr("64:ff9b::a01:203"), true), "NAT64 of 10.1.2.3")
}
