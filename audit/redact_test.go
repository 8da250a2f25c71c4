package audit

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIsSensitiveKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		// Secrets under their usual names.
		{"password", true},
		{"new_password", true},
		{"newPassword", true},
		{"PASSWD", true},
		{"passphrase", true},
		{"client_secret", true},
		{"token", true},
		{"access_token", true},
		{"refresh-token", true},
		{"X-Api-Key", true},
		{"api_key", true},
		{"apikey", true},
		{"aws.access_key_id", true},
		{"private_key", true},
		{"Authorization", true},
		{"Proxy-Authorization", true},
		{"cookie", true},
		{"Set-Cookie", true},
		{"credentials", true},
		{"bearer", true},
		{"id_jwt", true},
		{"session_id", true},
		{"x-amz-signature", true},
		{"code", true},
		{"key", true},
		{"sig", true},
		{"otp", true},
		{"csrf", true},
		{"pin", true},
		{"auth_code", true},
		{"mfaCode", true},
		{"backup-code", true},
		{"verification_code", true},
		{"passcode", true},
		{"dsn", true},
		{"db_connection_string", true},
		{"encryption_key", true},
		{"MASTER_KEY", true},
		{"webhook.hmac_key", true},
		{"ssh-key", true},
		{"azure_account_key", true},
		{"new_pwd", true},
		{"otpauth_uri", true},
		// Over-matching is accepted: redacting a count is harmless.
		{"token_count", true},
		// Ordinary attributes stay.
		{"from", false},
		{"to", false},
		{"role", false},
		{"email_domain", false},
		{"country_code", false},
		{"status_code", false},
		{"error_code", false},
		{"keyboard", false},
		{"session_count", false},
		{"integration", false},
		{"", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, IsSensitiveKey(tt.key), "IsSensitiveKey(%q)", tt.key)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a URL without query is unchanged", "https://app.example/settings", "https://app.example/settings"},
		{"a reset token is removed", "https://app.example/reset?token=abc123", "https://app.example/reset"},
		{"an OAuth callback keeps state but loses code", "/oauth/callback?code=xyz&state=s1", "/oauth/callback?state=s1"},
		{"order and encoding of other parameters is kept", "/s?b=2&access_token=t&a=%20x&key=k", "/s?b=2&a=%20x"},
		{"an encoded parameter name is still recognised", "/s?access%5Ftoken=t&x=1", "/s?x=1"},
		{"an upper-case name is recognised", "/s?API_KEY=k&x=1", "/s?x=1"},
		{"repeated parameters are all removed", "/s?token=a&token=b&x=1", "/s?x=1"},
		{"a presigned S3 URL loses its signature", "https://b.s3.amazonaws.com/o?X-Amz-Credential=c&X-Amz-Signature=s&X-Amz-Expires=60", "https://b.s3.amazonaws.com/o?X-Amz-Expires=60"},
		{"an Azure SAS loses its sig", "https://a.blob.core.windows.net/c/b?sv=2020&sig=abc", "https://a.blob.core.windows.net/c/b?sv=2020"},
		{"user information is dropped", "https://user:hunter2@example.com/x", "https://example.com/x"},
		{"a token as user name is dropped", "https://ghp_secret@github.com/o/r.git", "https://github.com/o/r.git"},
		{"a fragment with an access token is cleaned", "https://app.example/cb#access_token=t&expires_in=3600", "https://app.example/cb#expires_in=3600"},
		{"a plain fragment is kept", "https://app.example/docs#section-2", "https://app.example/docs#section-2"},
		{"a fragment holding only a token is dropped", "/cb#id_token=abc", "/cb"},
		{"a parameter name that does not decode is removed", "/s?%zz=1&x=2", "/s?x=2"},
		{"a parameter value that does not decode is removed", "/s?next=%2Fr%3Ftoken%3Dabc%zz&x=2", "/s?x=2"},
		{"an empty query marker disappears", "/s?", "/s"},
		{"a query of only secrets disappears", "/s?token=a&code=b", "/s"},
		{"an unparseable URL is redacted whole", "http://[::1/?token=abc", Redacted},
		{"a nested return URL loses its token", "/login?return_to=%2Freset%3Ftoken%3Dabc%26lang%3Den&x=1", "/login?return_to=%2Freset%3Flang%3Den&x=1"},
		{"a nested URL without secrets keeps its encoding", "/login?next=%2Fa%3Fb%3D1", "/login?next=%2Fa%3Fb%3D1"},
		{"a token after a semicolon removes the parameter", "/s?a=1;token=abc&x=2", "/s?x=2"},
		{"semicolons without secrets are kept", "/s?a=1;b=2&x=2", "/s?a=1;b=2&x=2"},
		{"a token in a twice-escaped return URL is found", "/login?r=" + url.QueryEscape(url.QueryEscape("https://y/reset?token=abc&lang=en")), "/login?r=" + url.QueryEscape(url.QueryEscape("https://y/reset?lang=en"))},
		{"a token in a thrice-escaped return URL is found", "/login?r=" + url.QueryEscape(url.QueryEscape(url.QueryEscape("/reset?code=abc&lang=en"))), "/login?r=" + url.QueryEscape(url.QueryEscape(url.QueryEscape("/reset?lang=en")))},
		{"a twice-escaped URL without secrets is kept", "/login?r=" + url.QueryEscape(url.QueryEscape("/a?b=1")), "/login?r=" + url.QueryEscape(url.QueryEscape("/a?b=1"))},
		{"a query nested in a value loses its code", "/cb?state=" + url.QueryEscape("code=abc&x=1") + "&y=2", "/cb?state=" + url.QueryEscape("x=1") + "&y=2"},
		{"a base64 value with padding is kept", "/s?v=YWJj%3D%3D&x=1", "/s?v=YWJj%3D%3D&x=1"},
		{"a percent sign in a value is kept", "/s?d=100%25&x=1", "/s?d=100%25&x=1"},
		{"a doubly nested token is found", "/a?next=" + url.QueryEscape("/b?next="+url.QueryEscape("/c?code=1&k=2")), "/a?next=" + url.QueryEscape("/b?next="+url.QueryEscape("/c?k=2"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, RedactURL(tt.in))
		})
	}
}

func TestRedactURLRemovesURLsNestedTooDeep(t *testing.T) {
	esc := url.QueryEscape
	l3 := "/c?n=" + esc("/d?code=1")
	raw := "/x?n=" + esc("/a?n="+esc("/b?n="+esc(l3)))
	want := "/x?n=" + esc("/a?n="+esc("/b?n="+esc("/c")))
	require.Equal(t, want, RedactURL(raw))
}

func TestLoggerRedactsAndCompletesEvents(t *testing.T) {
	mem := NewMemorySink(10)
	now := time.Date(2026, 3, 16, 10, 0, 0, 0, time.FixedZone("X", 7200))
	l, err := New(Config{Sink: mem, RedactKeys: []string{"Share-Link"}, Now: func() time.Time { return now }})
	require.NoError(t, err)

	md := map[string]string{"password": "hunter2", "share_link": "https://x/s/abc", "role": "admin", "Cookie": "sid=1"}
	ctx := WithRequestID(context.Background(), "req-1")
	require.NoError(t, l.Log(ctx, Event{Action: ActionMemberRoleChanged, Metadata: md}))

	got := mem.Events()[0]
	require.Equal(t, now.UTC(), got.Time)
	require.Equal(t, time.UTC, got.Time.Location())
	require.Equal(t, SeverityInfo, got.Severity)
	require.Equal(t, "req-1", got.RequestID)
	require.Equal(t, map[string]string{"password": Redacted, "share_link": Redacted, "role": "admin", "Cookie": Redacted}, got.Metadata)
	require.Equal(t, "hunter2", md["password"], "the caller's map is not modified")
}

func TestLoggerKeepsExplicitFields(t *testing.T) {
	mem := NewMemorySink(10)
	l, err := New(Config{Sink: mem})
	require.NoError(t, err)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	e := Event{Time: at, Action: ActionLoginFailed, Severity: SeverityHigh, RequestID: "mine"}
	require.NoError(t, l.Log(WithRequestID(context.Background(), "ctx"), e))
	got := mem.Events()[0]
	require.Equal(t, at, got.Time)
	require.Equal(t, SeverityHigh, got.Severity)
	require.Equal(t, "mine", got.RequestID)
}

func TestLoggerRejectsInvalidEvents(t *testing.T) {
	mem := NewMemorySink(10)
	l, err := New(Config{Sink: mem})
	require.NoError(t, err)
	require.ErrorIs(t, l.Log(context.Background(), Event{}), ErrNoAction)
	require.ErrorIs(t, l.Log(context.Background(), Event{Action: "x", Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}), ErrBadTime)
	require.Zero(t, mem.Len())
	_, err = New(Config{})
	require.ErrorContains(t, err, "Sink")
}
