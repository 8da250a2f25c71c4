package main

import (
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The CSP refuses inline handlers, inline styles and foreign scripts; this
// keeps the templates from relying on any of them (the browser test would
// fail too, but only on the pages it visits).
func TestTemplatesUseNoInlineHandlersStylesOrExternalResources(t *testing.T) {
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	style := regexp.MustCompile(`(?i)\sstyle\s*=|<style`)
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`)
	script := regexp.MustCompile(`<script[^>]*>`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, path)
		require.NoError(t, err)
		s := string(b)
		assert.NotRegexp(t, handler, s, path)
		assert.NotRegexp(t, style, s, path)
		assert.NotRegexp(t, external, s, path)
		for _, tag := range script.FindAllString(s, -1) {
			assert.Equal(t, `<script nonce="{{.Nonce}}">`, tag, "%s: every script carries the nonce", path)
		}
		return nil
	})
	require.NoError(t, err)
}

func TestOutboxExistsOnlyInLocalMode(t *testing.T) {
	local := newTestApp(t)
	assert.Equal(t, http.StatusOK, local.client(t).get("/dev/outbox").Status)

	remote := newTestApp(t, func(c *appConfig) { c.Local = false })
	c := remote.client(t)
	assert.Equal(t, http.StatusNotFound, c.get("/dev/outbox").Status)
	remote.newUser(t, "alice@example.com")
	c.post("/reset", map[string][]string{"email": {"alice@example.com"}})
	assert.Empty(t, remote.outbox.list(), "no links are kept or printed outside local mode")
	assert.False(t, strings.Contains(c.get("/").Body, "/dev/outbox"), "no outbox link in the navigation")
}
