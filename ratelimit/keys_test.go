package ratelimit_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bulwark-go/bulwark/ratelimit"
)

func TestIPKey(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	tests := []struct {
		name    string
		cfg     ratelimit.IPKeyConfig
		remote  string
		xff     []string
		wantKey string
	}{
		// Direct clients.
		{"an IPv4 client is keyed by its address", ratelimit.IPKeyConfig{}, "203.0.113.9:1234", nil, "203.0.113.9"},
		{"an IPv6 client is keyed by its /64", ratelimit.IPKeyConfig{}, "[2001:db8:1:2:aaaa::1]:443", nil, "2001:db8:1:2::/64"},
		{"another address in the same /64 shares the key", ratelimit.IPKeyConfig{}, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:443", nil, "2001:db8:1:2::/64"},
		{"the IPv6 prefix is configurable", ratelimit.IPKeyConfig{IPv6Prefix: 48}, "[2001:db8:1:2::1]:443", nil, "2001:db8:1::/48"},
		{"IPv6 /128 keys single addresses", ratelimit.IPKeyConfig{IPv6Prefix: 128}, "[2001:db8::7]:443", nil, "2001:db8::7"},
		{"the IPv4 prefix is configurable", ratelimit.IPKeyConfig{IPv4Prefix: 24}, "203.0.113.9:1234", nil, "203.0.113.0/24"},
		{"an IPv4-mapped IPv6 peer is keyed as IPv4", ratelimit.IPKeyConfig{}, "[::ffff:203.0.113.9]:1", nil, "203.0.113.9"},
		{"an unparsable peer shares the unknown key", ratelimit.IPKeyConfig{}, "@unix", nil, "unknown"},
		// Transition addresses are keyed by the IPv4 address they embed.
		{"a 6to4 client is keyed by its IPv4 address", ratelimit.IPKeyConfig{}, "[2002:cb00:7109::1]:1", nil, "6to4:203.0.113.9"},
		{"every /64 of a 6to4 /48 shares that key", ratelimit.IPKeyConfig{}, "[2002:cb00:7109:ffff:1:2:3:4]:1", nil, "6to4:203.0.113.9"},
		{"a 6to4 client is grouped like IPv4", ratelimit.IPKeyConfig{IPv4Prefix: 24}, "[2002:cb00:7109::1]:1", nil, "6to4:203.0.113.0/24"},
		{"a strict IPv6 prefix does not apply to 6to4", ratelimit.IPKeyConfig{IPv6Prefix: 32}, "[2002:cb00:7109::1]:1", nil, "6to4:203.0.113.9"},
		{"6to4 embedding a private address stays apart from that address", ratelimit.IPKeyConfig{}, "[2002:a01:101::1]:1", nil, "6to4:10.1.1.1"},
		// RFC 4380 encoding, worked example: server 65.54.227.120, flags 0x8000,
		// port 40000 (63bf inverted), client 192.0.2.45 (3fff:fdd2 inverted).
		{"a Teredo client is keyed by its public IPv4 address", ratelimit.IPKeyConfig{}, "[2001:0:4136:e378:8000:63bf:3fff:fdd2]:1", nil, "teredo:192.0.2.45"},
		{"a Teredo client cannot mint keys with flags and port", ratelimit.IPKeyConfig{}, "[2001:0:4136:e378:1234:5678:3fff:fdd2]:1", nil, "teredo:192.0.2.45"},
		{"other 2001::/16 addresses are plain IPv6", ratelimit.IPKeyConfig{}, "[2001:db8:1:2::1]:1", nil, "2001:db8:1:2::/64"},
		// Forwarding headers.
		{"X-Forwarded-For from an untrusted peer is ignored", ratelimit.IPKeyConfig{}, "203.0.113.9:1", []string{"198.51.100.1"}, "203.0.113.9"},
		{"X-Forwarded-For from a trusted proxy names the client", ratelimit.IPKeyConfig{TrustedProxies: proxies}, "10.1.1.1:1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a spoofed leftmost entry is not used", ratelimit.IPKeyConfig{TrustedProxies: proxies}, "10.1.1.1:1", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"trusted hops are skipped from the right", ratelimit.IPKeyConfig{TrustedProxies: proxies}, "10.1.1.1:1", []string{"198.51.100.1, 10.2.2.2"}, "198.51.100.1"},
		{"a forwarded IPv6 client is keyed by its /64", ratelimit.IPKeyConfig{TrustedProxies: proxies}, "[fd00::1]:1", []string{"2001:db8:5:6:7::8"}, "2001:db8:5:6::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := ratelimit.IPKey(tt.cfg)
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got, ok := key(r)
			require.True(t, ok)
			assert.Equal(t, tt.wantKey, got)
		})
	}
}

func TestIPKeyRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  ratelimit.IPKeyConfig
		want string
	}{
		{"an unmasked proxy prefix", ratelimit.IPKeyConfig{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}}, "TrustedProxies"},
		{"an IPv6 prefix over 128", ratelimit.IPKeyConfig{IPv6Prefix: 129}, "IPv6Prefix"},
		{"a negative IPv6 prefix", ratelimit.IPKeyConfig{IPv6Prefix: -1}, "IPv6Prefix"},
		{"an IPv4 prefix over 32", ratelimit.IPKeyConfig{IPv4Prefix: 33}, "IPv4Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ratelimit.IPKey(tt.cfg)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestUserKey(t *testing.T) {
	key := ratelimit.UserKey(func(r *http.Request) (string, bool) {
		id := r.Header.Get("X-Test-User")
		return id, id != "nobody"
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Test-User", "user-42")
	got, ok := key(r)
	require.True(t, ok)
	assert.Equal(t, "user-42", got)
	r.Header.Set("X-Test-User", "")
	_, ok = key(r)
	assert.False(t, ok, "an empty user ID must skip the rule")
	r.Header.Set("X-Test-User", "nobody")
	_, ok = key(r)
	assert.False(t, ok)
}

func formRequest(body, contentType string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/reset", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	return r
}

func TestFormKey(t *testing.T) {
	key, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret, MaxBodyBytes: 1024})
	require.NoError(t, err)
	const form = "application/x-www-form-urlencoded"

	alice, ok := key(formRequest("email=alice%40example.com", form))
	require.True(t, ok)
	assert.Len(t, alice, 22)
	assert.NotContains(t, alice, "alice", "the raw value leaked into the key")

	t.Run("case and surrounding space do not change the key", func(t *testing.T) {
		got, ok := key(formRequest("email=+ALICE%40Example.COM%09", form))
		require.True(t, ok)
		assert.Equal(t, alice, got)
	})
	t.Run("a different value has a different key", func(t *testing.T) {
		got, ok := key(formRequest("email=bob%40example.com", form))
		require.True(t, ok)
		assert.NotEqual(t, alice, got)
	})
	t.Run("a different secret has a different key", func(t *testing.T) {
		other, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: bytes.Repeat([]byte{7}, 32)})
		require.NoError(t, err)
		got, ok := other(formRequest("email=alice%40example.com", form))
		require.True(t, ok)
		assert.NotEqual(t, alice, got)
	})
	t.Run("a missing or blank field skips the rule", func(t *testing.T) {
		_, ok := key(formRequest("name=alice", form))
		assert.False(t, ok)
		_, ok = key(formRequest("email=+++", form))
		assert.False(t, ok)
	})
	t.Run("the value in the query string is not used", func(t *testing.T) {
		r := formRequest("", form)
		r.URL.RawQuery = "email=alice%40example.com"
		_, ok := key(r)
		assert.False(t, ok)
	})
	t.Run("an oversized body shares one key instead of escaping", func(t *testing.T) {
		big := "email=alice%40example.com&pad=" + strings.Repeat("x", 2048)
		got, ok := key(formRequest(big, form))
		require.True(t, ok)
		assert.Equal(t, "invalid-form", got)
	})
	t.Run("a malformed body shares one key", func(t *testing.T) {
		got, ok := key(formRequest("email=%zz", form))
		require.True(t, ok)
		assert.Equal(t, "invalid-form", got)
	})
	t.Run("a multipart form is read too", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		require.NoError(t, mw.WriteField("email", "Alice@example.com"))
		require.NoError(t, mw.Close())
		got, ok := key(formRequest(buf.String(), mw.FormDataContentType()))
		require.True(t, ok)
		assert.Equal(t, alice, got)
	})
	t.Run("a form the application already parsed is used as is", func(t *testing.T) {
		r := formRequest("", form)
		r.PostForm = map[string][]string{"email": {"alice@example.com"}}
		got, ok := key(r)
		require.True(t, ok)
		assert.Equal(t, alice, got)
	})
	t.Run("a body that is not a form is left whole for the handler", func(t *testing.T) {
		body := `{"email":"alice@example.com","pad":"` + strings.Repeat("x", 4096) + `"}`
		r := formRequest(body, "application/json")
		_, ok := key(r)
		assert.False(t, ok, "a JSON body has no form field")
		got, err := io.ReadAll(r.Body)
		require.NoError(t, err, "the body was capped at MaxBodyBytes for the handler")
		assert.Equal(t, body, string(got))
	})
	t.Run("the handler still sees the parsed form", func(t *testing.T) {
		r := formRequest("email=alice%40example.com", form)
		_, _ = key(r)
		assert.Equal(t, "alice@example.com", r.FormValue("email"))
	})
}

func TestHashKeyAndFormKeyRejectBadConfig(t *testing.T) {
	_, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Secret: testSecret})
	require.ErrorContains(t, err, "Field")
	_, err = ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret[:31]})
	require.ErrorIs(t, err, ratelimit.ErrShortSecret)
	_, err = ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret, MaxBodyBytes: -1})
	require.ErrorContains(t, err, "MaxBodyBytes")
	_, err = ratelimit.HashKey(nil, func(*http.Request) (string, bool) { return "", false })
	require.ErrorIs(t, err, ratelimit.ErrShortSecret)
}

func TestHashKeyMatchesFormKey(t *testing.T) {
	// A JSON API extracting the email itself gets the same key as a form.
	hk, err := ratelimit.HashKey(testSecret, func(r *http.Request) (string, bool) {
		return r.Header.Get("X-Test-Email"), true
	})
	require.NoError(t, err)
	fk, err := ratelimit.FormKey(ratelimit.FormKeyConfig{Field: "email", Secret: testSecret})
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("X-Test-Email", " Eve@Example.com")
	h, ok := hk(r)
	require.True(t, ok)
	f, ok := fk(formRequest("email=eve%40example.com", "application/x-www-form-urlencoded"))
	require.True(t, ok)
	assert.Equal(t, f, h)
	r.Header.Set("X-Test-Email", "  ")
	_, ok = hk(r)
	assert.False(t, ok)
}
