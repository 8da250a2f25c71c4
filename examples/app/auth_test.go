package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	otptotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

func TestSignUpExplainsThePasswordPolicy(t *testing.T) {
	ta := newTestApp(t)
	for _, tc := range []struct {
		name, email, password, want string
	}{
		{"a short password is refused with its length rule", "a@example.com", "x7Qp", "too short"},
		{"a common password is refused", "b@example.com", "1qaz2wsx3edc4rfv", "too common"},
		{"a password built from the email is refused", "carol.jones@example.com", "carol.jones.example", "name, email"},
		{"a repetitive password is refused", "d@example.com", "aaaaaaaaaaaaaaaa", "repetition"},
		{"an invalid email is refused", "not-an-email", testPassword, "valid email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.client(t).signUp(tc.email, "Carol Jones", tc.password)
			assert.Equal(t, http.StatusUnprocessableEntity, r.Status)
			assert.Contains(t, r.Body, tc.want)
			assert.NotContains(t, r.Body, tc.password, "the page must not echo the password")
		})
	}
}

func TestSignInFailuresAreGenericAndSuccessStartsASession(t *testing.T) {
	ta := newTestApp(t)
	c, _ := ta.newUser(t, "alice@example.com")
	require.Equal(t, http.StatusSeeOther, c.post("/signout", nil).Status)
	assert.Equal(t, http.StatusSeeOther, c.get("/account").Status, "signed out")

	wrong := c.signIn("alice@example.com", "not the password at all")
	unknown := c.signIn("nobody@example.com", "not the password at all")
	assert.Equal(t, http.StatusUnauthorized, wrong.Status)
	assert.Equal(t, http.StatusUnauthorized, unknown.Status)
	assert.Contains(t, wrong.Body, "Invalid email or password.")
	assert.Contains(t, unknown.Body, "Invalid email or password.")

	ok := c.signIn("alice@example.com", testPassword)
	assert.Equal(t, http.StatusSeeOther, ok.Status)
	assert.Equal(t, "/orgs", ok.Location)
	acct := c.get("/account")
	require.Equal(t, http.StatusOK, acct.Status)
	assert.Equal(t, "no-store", acct.Header.Get("Cache-Control"), "authenticated pages are not cached")
}

func TestAccountPageShowsRecentSecurityActivity(t *testing.T) {
	ta := newTestApp(t)
	c, _ := ta.newUser(t, "alice@example.com")
	attacker := ta.client(t)
	attacker.signIn("alice@example.com", "guessing a password here")
	attacker.signIn("nobody@example.com", "guessing a password here")
	page := c.get("/account")
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, `<td class="action">auth.login_failed</td>`, "failed attempts on the account are shown to its owner")
	assert.Equal(t, 1, strings.Count(page.Body, "auth.login_failed"), "only attempts on this account")
	assert.Contains(t, page.Body, `<td class="action">auth.signed_up</td>`)
}

func TestSignInNextParameterCannotRedirectOffSite(t *testing.T) {
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
		"/%zz", "/" + strings.Repeat("a", 4096)} {
		assert.Equal(t, "/", localPath(next), clip(next, 40))
	}
	assert.Equal(t, "/orgs/x", localPath("/orgs/x"))
}

func TestSignInIsRateLimitedPerAccount(t *testing.T) {
	ta := newTestApp(t)
	ta.newUser(t, "alice@example.com")
	c := ta.client(t)
	var last response
	for range 11 {
		last = c.signIn("alice@example.com", "wrong password guess")
	}
	assert.Equal(t, http.StatusTooManyRequests, last.Status)
	assert.NotEmpty(t, last.Header.Get("Retry-After"))
	// Even the right password is refused while the account's budget is spent.
	assert.Equal(t, http.StatusTooManyRequests, c.signIn("alice@example.com", testPassword).Status)
}

func TestPasswordResetRequestsAreRateLimitedPerEmail(t *testing.T) {
	ta := newTestApp(t)
	c := ta.client(t)
	for range 3 {
		require.Equal(t, http.StatusOK, c.post("/reset", url.Values{"email": {"Alice@Example.com"}}).Status)
	}
	r := c.post("/reset", url.Values{"email": {" alice@example.com"}})
	assert.Equal(t, http.StatusTooManyRequests, r.Status, "the same address in another spelling shares the budget")
	assert.NotEmpty(t, r.Header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, c.post("/reset", url.Values{"email": {"bob@example.com"}}).Status, "other addresses are not affected")
}

func TestYourSessionsPageRevokesAnotherSession(t *testing.T) {
	ta := newTestApp(t)
	laptop, _ := ta.newUser(t, "alice@example.com")
	phone := ta.client(t)
	require.Equal(t, http.StatusSeeOther, phone.signIn("alice@example.com", testPassword).Status)

	page := laptop.get("/account")
	ids := regexp.MustCompile(`/account/sessions/([A-Za-z0-9_-]{43})/revoke`).FindAllStringSubmatch(page.Body, -1)
	require.Len(t, ids, 1, "the other session is listed with a revoke button, the current one is not")
	assert.Equal(t, http.StatusSeeOther, laptop.post("/account/sessions/"+ids[0][1]+"/revoke", nil).Status)

	assert.Equal(t, http.StatusSeeOther, phone.get("/account").Status, "the revoked session is signed out")
	assert.Equal(t, http.StatusOK, laptop.get("/account").Status, "the current session stays")
	// A session ID of someone else's cannot be revoked.
	assert.Equal(t, http.StatusNotFound, laptop.post("/account/sessions/"+ids[0][1]+"/revoke", nil).Status)
}

var totpKey = regexp.MustCompile(`<code id="totp-key">([A-Z2-7]+)</code>`)
var backupCode = regexp.MustCompile(`<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code></li>`)

// enrolTOTP turns TOTP on for c's user and returns the secret and backup codes.
func enrolTOTP(t *testing.T, ta *testApp, c *client) (string, []string) {
	t.Helper()
	page := c.post("/account/totp/enrol", nil)
	require.Equal(t, http.StatusOK, page.Status)
	assert.Contains(t, page.Body, `src="data:image/png;base64,`, "QR code shown as a data URL")
	m := totpKey.FindStringSubmatch(page.Body)
	require.NotNil(t, m, "manual key shown")
	code, err := otptotp.GenerateCode(m[1], ta.clock.Now())
	require.NoError(t, err)
	done := c.post("/account/totp/confirm", url.Values{"code": {code}})
	require.Equal(t, http.StatusOK, done.Status, done.Body)
	var codes []string
	for _, mm := range backupCode.FindAllStringSubmatch(done.Body, -1) {
		codes = append(codes, mm[1])
	}
	require.Len(t, codes, 10)
	return m[1], codes
}

func TestTOTPEnrolSignInReplayAndBackupCodes(t *testing.T) {
	ta := newTestApp(t)
	c, uid := ta.newUser(t, "alice@example.com")
	page := c.post("/account/totp/enrol", nil)
	m := totpKey.FindStringSubmatch(page.Body)
	require.NotNil(t, m)
	assert.Equal(t, http.StatusUnprocessableEntity, c.post("/account/totp/confirm", url.Values{"code": {"000000"}}).Status, "a wrong first code does not activate")
	u, _, _ := ta.db.userByID(context.Background(), uid)
	assert.False(t, u.TOTPEnabled)
	assert.NotContains(t, u.TOTPSealed, m[1], "the secret is stored sealed")

	ta.clock.Advance(30 * time.Second)
	secret, codes := enrolTOTP(t, ta, c)
	require.Equal(t, http.StatusSeeOther, c.post("/signout", nil).Status)

	// Password alone now leads to the second step, not to a session.
	r := c.signIn("alice@example.com", testPassword)
	require.Equal(t, http.StatusSeeOther, r.Status)
	assert.Contains(t, r.Location, "/signin/mfa")
	assert.Equal(t, http.StatusSeeOther, c.get("/account").Status, "half-signed-in is not signed in")

	ta.clock.Advance(30 * time.Second)
	code, _ := otptotp.GenerateCode(secret, ta.clock.Now())
	assert.Equal(t, http.StatusSeeOther, c.post("/signin/mfa", url.Values{"code": {code}}).Status)
	assert.Equal(t, http.StatusOK, c.get("/account").Status)

	// The same code is refused on a second sign-in (replay guard).
	other := ta.client(t)
	other.signIn("alice@example.com", testPassword)
	assert.Equal(t, http.StatusUnauthorized, other.post("/signin/mfa", url.Values{"code": {code}}).Status)
	// A backup code works once.
	assert.Equal(t, http.StatusSeeOther, other.post("/signin/mfa", url.Values{"code": {codes[0]}}).Status)
	third := ta.client(t)
	third.signIn("alice@example.com", testPassword)
	assert.Equal(t, http.StatusUnauthorized, third.post("/signin/mfa", url.Values{"code": {codes[0]}}).Status)
}

func TestTOTPDisableAndRegenerateNeedStepUp(t *testing.T) {
	ta := newTestApp(t)
	c, uid := ta.newUser(t, "alice@example.com")
	secret, oldCodes := enrolTOTP(t, ta, c)

	ta.clock.Advance(stepUpAge + time.Minute)
	assert.Equal(t, http.StatusForbidden, c.post("/account/totp/disable", url.Values{"back": {"/account"}}).Status)
	assert.Equal(t, http.StatusForbidden, c.post("/account/totp/backup-codes", nil).Status)

	bad := c.post("/reauth", url.Values{"password": {"wrong"}, "next": {"/account"}})
	assert.Equal(t, http.StatusUnauthorized, bad.Status)
	code, _ := otptotp.GenerateCode(secret, ta.clock.Now())
	ok := c.post("/reauth", url.Values{"password": {testPassword}, "code": {code}, "next": {"/account"}})
	require.Equal(t, http.StatusSeeOther, ok.Status, ok.Body)
	assert.Equal(t, "/account", ok.Location)

	regen := c.post("/account/totp/backup-codes", nil)
	require.Equal(t, http.StatusOK, regen.Status)
	fresh := backupCode.FindAllStringSubmatch(regen.Body, -1)
	require.Len(t, fresh, 10)
	require.Error(t, ta.backup.Verify(context.Background(), uid, oldCodes[1]), "old codes stop working")

	assert.Equal(t, http.StatusOK, c.post("/account/totp/disable", nil).Status)
	u, _, _ := ta.db.userByID(context.Background(), uid)
	assert.False(t, u.TOTPEnabled)
	assert.Empty(t, u.TOTPSealed)
}

func TestPasswordResetIsSingleUseExpiringAndRevokesSessions(t *testing.T) {
	ta := newTestApp(t)
	stolen, _ := ta.newUser(t, "alice@example.com")
	c := ta.client(t)

	known := c.post("/reset", url.Values{"email": {"alice@example.com"}})
	unknown := c.post("/reset", url.Values{"email": {"nobody@example.com"}})
	assert.Equal(t, known.Status, unknown.Status)
	assert.Equal(t, stripNonce(known.Body), stripNonce(unknown.Body), "the answer does not reveal whether the account exists")
	require.Len(t, ta.outbox.list(), 1, "only the real account gets mail")
	token := ta.lastOutboxToken(t, "alice@example.com")

	page := c.get("/reset/confirm")
	assert.Equal(t, "no-referrer", page.Header.Get("Referrer-Policy"))

	weak := c.post("/reset/confirm", url.Values{"token": {token}, "password": {"password1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, weak.Status, "policy still applies")
	fresh := regexp.MustCompile(`name="token" required autocomplete="off" value="([A-Za-z0-9_-]{43})"`).FindStringSubmatch(weak.Body)
	require.NotNil(t, fresh, "a fresh token is handed back to retry")
	assert.Equal(t, http.StatusBadRequest, c.post("/reset/confirm", url.Values{"token": {token}, "password": {"another long passphrase 7"}}).Status, "the first token was spent")

	done := c.post("/reset/confirm", url.Values{"token": {fresh[1]}, "password": {"another long passphrase 7"}})
	require.Equal(t, http.StatusOK, done.Status, done.Body)
	assert.Equal(t, http.StatusSeeOther, stolen.get("/account").Status, "every session was revoked")
	assert.Equal(t, http.StatusUnauthorized, c.signIn("alice@example.com", testPassword).Status)
	assert.Equal(t, http.StatusSeeOther, c.signIn("alice@example.com", "another long passphrase 7").Status)
	assert.Equal(t, http.StatusBadRequest, c.post("/reset/confirm", url.Values{"token": {fresh[1]}, "password": {"yet another passphrase 9"}}).Status, "single use")

	// Expiry.
	c.post("/reset", url.Values{"email": {"alice@example.com"}})
	late := ta.lastOutboxToken(t, "alice@example.com")
	ta.clock.Advance(31 * time.Minute)
	assert.Equal(t, http.StatusBadRequest, c.post("/reset/confirm", url.Values{"token": {late}, "password": {"yet another passphrase 9"}}).Status)
}

var nonceAttr = regexp.MustCompile(`nonce="[^"]*"`)

func stripNonce(s string) string { return nonceAttr.ReplaceAllString(s, "") }

// TestSignInUpgradesAnOldPasswordHash stores a user's password as a bcrypt
// hash, as after a migration from an older system, and checks that the
// next successful sign-in replaces it with an argon2id hash.
func TestSignInUpgradesAnOldPasswordHash(t *testing.T) {
	ta := newTestApp(t)
	_, userID := ta.newUser(t, "legacy@example.com")
	old, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, ta.db.setPassword(ctx, userID, string(old)))

	r := ta.client(t).signIn("legacy@example.com", testPassword)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	u, found, err := ta.db.userByEmail(ctx, "legacy@example.com")
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, strings.HasPrefix(u.PasswordHash, "$argon2id$"), "hash not upgraded: %.7s…", u.PasswordHash)

	r = ta.client(t).signIn("legacy@example.com", testPassword)
	require.Equal(t, http.StatusSeeOther, r.Status, "the upgraded hash must verify")
}

// TestSignInLogsAFailedHashUpgrade makes the database refuse the upgraded
// hash: sign-in still succeeds on the old one, and the failure is logged.
func TestSignInLogsAFailedHashUpgrade(t *testing.T) {
	if realBackend {
		t.Skip("uses a SQLite trigger")
	}
	var logs strings.Builder
	ta := newTestApp(t, func(c *appConfig) { c.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	_, userID := ta.newUser(t, "legacy@example.com")
	old, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, ta.db.setPassword(ctx, userID, string(old)))
	_, err = ta.db.sql.ExecContext(ctx, `CREATE TRIGGER refuse_rehash BEFORE UPDATE OF password_hash ON users
		BEGIN SELECT RAISE(ABORT, 'password hashes are read-only'); END`)
	require.NoError(t, err)

	r := ta.client(t).signIn("legacy@example.com", testPassword)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	assert.Contains(t, logs.String(), "password hash upgrade failed")
	assert.Contains(t, logs.String(), "read-only")
	assert.NotContains(t, logs.String(), testPassword)
}
