package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"

	"github.com/bulwark-go/bulwark/tenant"
)

// demoUsers are created at first start, one per role, in one demo org.
var demoUsers = []struct {
	Email, Name string
	Role        tenant.Role
}{
	{"owner@demo.example", "Olive Owner", tenant.RoleOwner},
	{"admin@demo.example", "Adam Admin", tenant.RoleAdmin},
	{"member@demo.example", "Mia Member", tenant.RoleMember},
	{"viewer@demo.example", "Victor Viewer", tenant.RoleViewer},
}

// seedDemo creates the demo org and users when the database has no users
// yet, and prints their random passwords once. They are never stored or
// printed again (only their argon2id hashes are kept).
func seedDemo(ctx context.Context, a *app, log *slog.Logger) error {
	var n int
	if err := a.db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		log.Info("sign in with a demo account (passwords were printed at first start) or create one at /signup")
		return nil
	}
	var lines []string
	o := org{ID: randomID(), Name: "Demo Org"}
	for i, du := range demoUsers {
		password := strings.ToLower(rand.Text()[:20]) // 100 random bits
		hash, err := a.hasher.Hash(ctx, password)
		if err != nil {
			return err
		}
		u := user{ID: randomID(), Email: du.Email, Name: du.Name, PasswordHash: hash}
		if err := a.db.createUser(ctx, u, a.now()); err != nil {
			return err
		}
		if i == 0 {
			if err := a.db.createOrg(ctx, o, u.ID, a.now()); err != nil {
				return err
			}
		} else if _, err := a.db.addMember(ctx, o.ID, u.ID, du.Role); err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("  %-7s %-22s %s", du.Role, du.Email, password))
	}
	// Printed once, to the terminal of whoever started the app, by design:
	// this is the local demo's only way to hand out first credentials.
	fmt.Fprintf(a.stderr, "\n================ DEMO ACCOUNTS (shown once, not stored) ================\n%s\n"+
		"  Organisation: %q. Passwords cannot be shown again; use /reset and the local outbox.\n"+
		"=========================================================================\n\n", strings.Join(lines, "\n"), o.Name)
	return nil
}
