package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bulwark-go/bulwark/audit"
	"github.com/bulwark-go/bulwark/sealbox"
	"github.com/bulwark-go/bulwark/tenant"
)

// rotateKeysCommand implements `go run ./examples/app rotate-keys`:
//
//  1. generate a new sealing secret and put it first in DATA_DIR/seal-keys
//     (the old ones stay, for opening);
//  2. re-seal every integration token and TOTP secret under it with
//     sealbox.Keyring.RewrapAll (compare-and-swap writes, so a concurrent
//     change is never overwritten);
//  3. if every value now opens under the new key, drop the old secrets.
//
// Run it while the app is stopped, or restart the app afterwards so it loads
// the new keyring. With SEAL_KEYS set, it prints the new value instead of
// writing the file.
func rotateKeysCommand(log *slog.Logger) error {
	ctx := context.Background()
	e, err := openEnv(ctx, log)
	if err != nil {
		return err
	}
	defer e.Close()
	fresh, err := sealbox.GenerateSecret()
	if err != nil {
		return err
	}
	texts := append([]string{fresh}, e.secrets.sealTexts...)
	ring, err := keyringFrom(texts)
	if err != nil {
		return err
	}
	fromEnv := os.Getenv("SEAL_KEYS") != ""
	path := filepath.Join(e.dir, "seal-keys")
	if !fromEnv {
		// Save first: if re-sealing stops half-way, both keys are on disk.
		if err := writeSecretFile(path, strings.Join(texts, "\n")+"\n"); err != nil {
			return err
		}
	}
	sum, err := rewrapAll(ctx, e.db, ring, log)
	if err != nil {
		return err
	}
	log.Info("re-sealed stored secrets", "rewrapped", sum.Rewrapped, "current", sum.Current, "failed", sum.Failed)
	if err := auditRotation(ctx, e, ring, sum, log); err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d values failed to re-seal; old keys kept in %s", sum.Failed, path)
	}
	if fromEnv {
		fmt.Fprintf(os.Stderr, "Set SEAL_KEYS to the new secret (old ones no longer needed):\nSEAL_KEYS=%s\n", fresh)
		return nil
	}
	if err := writeSecretFile(path, fresh+"\n"); err != nil {
		return err
	}
	log.Warn("!!! SEALING KEY ROTATED: old secrets removed; restart the app to load the new key !!!", "file", path, "key_id", fmt.Sprintf("%08x", ring.PrimaryID()))
	return nil
}

// auditRotation records the rotation in the app's tamper-evident log. The
// app must be stopped: two processes appending to one chain would break it.
func auditRotation(ctx context.Context, e *env, ring *sealbox.Keyring, sum sealbox.Summary, log *slog.Logger) error {
	al, err := openAuditLog(e.dir, e.secrets.derive(labelAuditChain), log)
	if err != nil {
		return err
	}
	outcome := audit.Success
	if sum.Failed > 0 {
		outcome = audit.Failure
	}
	err = al.log.Log(ctx, audit.Event{Action: audit.ActionKeyRotated, Outcome: outcome, Severity: audit.SeverityMedium,
		Actor:    audit.Actor{UserID: "cli:rotate-keys"},
		Target:   audit.Target{Type: "sealing_key", ID: fmt.Sprintf("%08x", ring.PrimaryID())},
		Metadata: map[string]string{"rewrapped": strconv.Itoa(sum.Rewrapped), "current": strconv.Itoa(sum.Current), "failed": strconv.Itoa(sum.Failed)}})
	return errors.Join(err, al.Close(ctx))
}

// rewrapAll moves every sealed value to ring's primary key.
func rewrapAll(ctx context.Context, d *db, ring *sealbox.Keyring, log *slog.Logger) (sealbox.Summary, error) {
	guard := tenant.MustNew(tenant.Config{Memberships: d, UserID: func(*http.Request) (string, bool) { return "", false }})
	bg := func(orgID string) (tenant.Scope, error) {
		return guard.UnsafeBackgroundScope(orgID, "rotate-keys", tenant.RoleOwner)
	}
	ins, err := d.allIntegrations(ctx, bg)
	if err != nil {
		return sealbox.Summary{}, err
	}
	users, err := d.usersWithTOTP(ctx)
	if err != nil {
		return sealbox.Summary{}, err
	}
	type ref struct {
		kind, org, id, old string
	}
	refs := map[string]ref{}
	items := func(yield func(sealbox.Item, error) bool) {
		for _, in := range ins {
			r := "integration/" + in.OrgID + "/" + in.Kind
			refs[r] = ref{"integration", in.OrgID, in.Kind, in.TokenSealed}
			if !yield(sealbox.Item{Ref: r, Ciphertext: []byte(in.TokenSealed), AAD: integrationAAD(in.OrgID, in.Kind)}, nil) {
				return
			}
		}
		for _, u := range users {
			r := "totp/" + u.ID
			refs[r] = ref{"totp", "", u.ID, u.TOTPSealed}
			if !yield(sealbox.Item{Ref: r, Ciphertext: []byte(u.TOTPSealed), AAD: totpAAD(u.ID)}, nil) {
				return
			}
		}
	}
	save := func(ctx context.Context, it sealbox.Item, rewrapped []byte) error {
		rf := refs[it.Ref]
		if rf.kind == "totp" {
			return d.replaceTOTPSealed(ctx, rf.id, rf.old, string(rewrapped))
		}
		s, err := bg(rf.org)
		if err != nil {
			return err
		}
		return d.replaceSealed(ctx, s, rf.id, rf.old, string(rewrapped))
	}
	return ring.RewrapAll(ctx, items, save, func(r sealbox.Result) {
		if r.Err != nil {
			log.Error("could not re-seal", "ref", r.Ref, "err", r.Err)
		}
	})
}
