package main

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bulwark-go/bulwark/sealbox"
)

// secrets holds the app's key material. Two kinds of secret exist:
//
//   - the app secret (APP_SECRET, or data/app-secret): the root of the
//     HMAC keys (audit chain, backup codes, approval links, rate-limit key
//     hashing), each derived with HKDF-SHA256 under its own label so that no
//     key serves two purposes;
//   - the sealing secrets (SEAL_KEYS, or data/seal-keys, newest first): the
//     sealbox keyring that encrypts integration tokens and TOTP secrets.
//     `go run ./examples/app rotate-keys` adds a new one and re-seals every
//     stored value.
//
// Both files are written with mode 0600 and never logged.
type secrets struct {
	root []byte
	ring *sealbox.Keyring
	// sealTexts are the sealing secrets as stored, newest first.
	sealTexts []string
}

// Labels for derived keys. Versioned so a change of use forces a new key.
const (
	labelAuditChain  = "bulwark-app/v1/audit-chain"
	labelBackupCodes = "bulwark-app/v1/totp-backup-codes"
	labelApprovals   = "bulwark-app/v1/approval-links"
	labelRateLimit   = "bulwark-app/v1/ratelimit-keys"
)

// derive returns a 32-byte key for label.
func (s *secrets) derive(label string) []byte {
	k, err := hkdf.Key(sha256.New, s.root, nil, label, 32)
	if err != nil { // only for lengths hkdf cannot produce
		panic(err)
	}
	return k
}

// loadSecrets reads or creates the app and sealing secrets. created reports
// which files were generated, for the start-up log.
func loadSecrets(dataDir string, getenv func(string) string) (s *secrets, created []string, err error) {
	s = &secrets{}
	rootText := strings.TrimSpace(getenv("APP_SECRET"))
	if rootText == "" {
		var made bool
		rootText, made, err = readOrCreateSecretFile(filepath.Join(dataDir, "app-secret"))
		if err != nil {
			return nil, nil, err
		}
		if made {
			created = append(created, filepath.Join(dataDir, "app-secret"))
		}
	}
	if s.root, err = decodeSecret(rootText); err != nil {
		return nil, nil, fmt.Errorf("app secret: %w", err)
	}

	if env := strings.TrimSpace(getenv("SEAL_KEYS")); env != "" {
		s.sealTexts = strings.Split(env, ",")
	} else {
		path := filepath.Join(dataDir, "seal-keys")
		text, made, err := readOrCreateSecretFile(path)
		if err != nil {
			return nil, nil, err
		}
		if made {
			created = append(created, path)
		}
		s.sealTexts = strings.Fields(text)
	}
	if s.ring, err = keyringFrom(s.sealTexts); err != nil {
		return nil, nil, err
	}
	return s, created, nil
}

func keyringFrom(texts []string) (*sealbox.Keyring, error) {
	if len(texts) == 0 {
		return nil, errors.New("no sealing key")
	}
	var cfg sealbox.Config
	for i, t := range texts {
		k, err := sealbox.ParseKey(t)
		if err != nil {
			return nil, fmt.Errorf("sealing key %d: %w", i+1, err)
		}
		if i == 0 {
			cfg.Primary = k
		} else {
			cfg.Previous = append(cfg.Previous, k)
		}
	}
	return sealbox.New(cfg)
}

func decodeSecret(text string) ([]byte, error) {
	// ParseKey accepts exactly the forms (hex or base64 of at least 32
	// bytes) we want for the root; HKDF then takes the text itself as input
	// keying material, which carries the same entropy.
	if _, err := sealbox.ParseKey(text); err != nil {
		return nil, errors.New("must be at least 32 random bytes in hex or base64 (generate one with `openssl rand -base64 32`)")
	}
	return []byte(strings.TrimSpace(text)), nil
}

// readOrCreateSecretFile returns the file's content, creating it with a new
// random secret and mode 0600 when it does not exist. An existing file that
// others can read is refused.
func readOrCreateSecretFile(path string) (text string, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return "", false, fmt.Errorf("%s is readable by other users (mode %v): chmod 600 it", path, fi.Mode().Perm())
		}
		return strings.TrimSpace(string(b)), false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, err
	}
	secret, err := sealbox.GenerateSecret()
	if err != nil {
		return "", false, err
	}
	if err := writeSecretFile(path, secret+"\n"); err != nil {
		return "", false, err
	}
	return secret, true, nil
}

// writeSecretFile replaces path atomically with content, mode 0600.
func writeSecretFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
