package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/bulwark-go/bulwark/totp"
)

type user struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	TOTPSealed   string // sealbox text form; pending enrolment when !TOTPEnabled
	TOTPEnabled  bool
}

var errEmailTaken = errors.New("email already registered")

func (d *db) createUser(ctx context.Context, u user, now time.Time) error {
	_, err := d.sql.ExecContext(ctx,
		`INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		u.ID, u.Email, u.Name, u.PasswordHash, now.Unix())
	if isUniqueViolation(err) {
		return errEmailTaken
	}
	return err
}

const userCols = `id, email, name, password_hash, totp_sealed, totp_enabled`

func scanUser(row *sql.Row) (user, bool, error) {
	var u user
	var enabled int
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSealed, &enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return user{}, false, nil
	}
	u.TOTPEnabled = enabled != 0
	return u, err == nil, err
}

func (d *db) userByEmail(ctx context.Context, email string) (user, bool, error) {
	return scanUser(d.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
}

func (d *db) userByID(ctx context.Context, id string) (user, bool, error) {
	return scanUser(d.sql.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
}

func (d *db) setPassword(ctx context.Context, userID, hash string) error {
	_, err := d.sql.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)
	return err
}

// setTOTP stores a sealed TOTP secret; enabled false marks a pending
// enrolment, which sign-in ignores.
func (d *db) setTOTP(ctx context.Context, userID, sealed string, enabled bool) error {
	e := 0
	if enabled {
		e = 1
	}
	_, err := d.sql.ExecContext(ctx, `UPDATE users SET totp_sealed = $1, totp_enabled = $2 WHERE id = $3`, sealed, e, userID)
	return err
}

// usersWithTOTP lists every sealed TOTP secret, for key rotation.
func (d *db) usersWithTOTP(ctx context.Context) ([]user, error) {
	rows, err := d.sql.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE totp_sealed <> ''`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []user
	for rows.Next() {
		var u user
		var enabled int
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.TOTPSealed, &enabled); err != nil {
			return nil, err
		}
		u.TOTPEnabled = enabled != 0
		out = append(out, u)
	}
	return out, rows.Err()
}

// replaceTOTPSealed swaps a sealed TOTP secret only if it is unchanged
// since it was read (key rotation must not overwrite a concurrent change).
func (d *db) replaceTOTPSealed(ctx context.Context, userID, old, sealed string) error {
	res, err := d.sql.ExecContext(ctx, `UPDATE users SET totp_sealed = $1 WHERE id = $2 AND totp_sealed = $3`, sealed, userID, old)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errors.New("changed concurrently")
	}
	return nil
}

// backupStore keeps TOTP backup code hashes in the database, so they
// survive restarts (totp.BackupConfig requires a durable store).
type backupStore struct{ d *db }

var _ totp.BackupStore = backupStore{}

func (b backupStore) SetBackupCodes(ctx context.Context, userID string, hashes [][]byte) error {
	return b.d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO backup_codes (user_id, hash) VALUES ($1, $2)`, userID, hex.EncodeToString(h)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b backupStore) BackupCodes(ctx context.Context, userID string) ([][]byte, error) {
	rows, err := b.d.sql.QueryContext(ctx, `SELECT hash FROM backup_codes WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		raw, err := hex.DecodeString(h)
		if err != nil {
			return nil, err
		}
		out = append(out, raw)
	}
	return out, rows.Err()
}

func (b backupStore) ConsumeBackupCode(ctx context.Context, userID string, hash []byte) (bool, error) {
	res, err := b.d.sql.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = $1 AND hash = $2`, userID, hex.EncodeToString(hash))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
