package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFirstStartGeneratesPrivateSecretsAndKeepsThem(t *testing.T) {
	dir := t.TempDir()
	noEnv := func(string) string { return "" }
	first, created, err := loadSecrets(dir, noEnv)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{filepath.Join(dir, "app-secret"), filepath.Join(dir, "seal-keys")}, created)
	for _, name := range []string{"app-secret", "seal-keys"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}

	again, created, err := loadSecrets(dir, noEnv)
	require.NoError(t, err)
	assert.Empty(t, created, "second start reuses the files")
	assert.Equal(t, first.derive(labelAuditChain), again.derive(labelAuditChain))
	assert.Equal(t, first.ring.PrimaryID(), again.ring.PrimaryID())
	assert.NotEqual(t, first.derive(labelAuditChain), first.derive(labelApprovals), "one key per purpose")

	require.NoError(t, os.Chmod(filepath.Join(dir, "app-secret"), 0o644))
	_, _, err = loadSecrets(dir, noEnv)
	assert.ErrorContains(t, err, "readable by other users")
}

func TestAppSecretFromEnvironmentMustBeLongEnough(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "APP_SECRET" {
				return v
			}
			return ""
		}
	}
	_, _, err := loadSecrets(t.TempDir(), env("short"))
	assert.Error(t, err)
	s, created, err := loadSecrets(t.TempDir(), env("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	assert.NotContains(t, created, "app-secret")
	assert.Len(t, s.derive(labelRateLimit), 32)
}

func TestSeedDemoPrintsPasswordsOnceAndTheyWork(t *testing.T) {
	ta := newTestApp(t)
	var out bytes.Buffer
	ta.stderr = &out
	require.NoError(t, seedDemo(context.Background(), ta.app, ta.log))
	creds := regexp.MustCompile(`(\w+)\s+(\S+@demo\.example)\s+([a-z2-7]{20})`).FindAllStringSubmatch(out.String(), -1)
	require.Len(t, creds, 4, out.String())

	c := ta.client(t)
	for _, cr := range creds {
		require.Equal(t, http.StatusSeeOther, c.signIn(cr[2], cr[3]).Status, cr[2])
		orgs := c.get("/orgs")
		assert.Regexp(t, `>Demo Org</a> \(`+cr[1]+`\)`, orgs.Body, "each demo user has the role printed next to it")
		require.Equal(t, http.StatusSeeOther, c.post("/signout", nil).Status)
	}

	out.Reset()
	require.NoError(t, seedDemo(context.Background(), ta.app, ta.log))
	assert.Empty(t, out.String(), "passwords are never printed again")
}

func TestMalformedInfraURLsDoNotEchoTheirPasswords(t *testing.T) {
	for _, env := range []struct{ db, redis string }{
		{"", "redis://:s3cr%zzet@127.0.0.1:6379/0"},
		{"", "redis://:s3cret@[::1:6379/0"},
		{"postgres://u:s3cr%zzet@127.0.0.1:5432/test", ""},
	} {
		_, err := openInfra(context.Background(), env.db, env.redis, slog.New(slog.DiscardHandler))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cr", "openInfra(%q, %q)", env.db, env.redis)
	}
}
