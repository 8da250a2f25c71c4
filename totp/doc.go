// Package totp adds time-based one-time passwords (RFC 6238) and backup codes
// to a login, with the replay protection and attempt limits that the bare
// algorithm lacks. It is built on github.com/pquerna/otp.
//
// For most uses, call [New] once with a [Config] naming your Issuer, then
// [Verifier.Enroll] to set a user up, [Verifier.ConfirmEnrollment] to
// activate the enrolment, and [Verifier.Verify] at every login. Create one
// [BackupCodes] with [NewBackupCodes] for recovery codes.
//
// # Enrolment
//
// [Verifier.Enroll] makes a random secret (160 bits for SHA-1) and returns an
// [Enrollment] with the otpauth:// URI, a QR code PNG and a data URL for an
// <img> tag. The enrolment is pending: keep the secret (encrypted) with a
// "pending" mark and activate two-factor authentication only when
// [Verifier.ConfirmEnrollment] accepts a code from the user's app, proving
// the app holds the secret. The defaults (SHA-1, 6 digits, 30 seconds) are
// the only parameters all common authenticator apps honour.
//
// # Verification
//
// [Verifier.Verify] accepts the code of the current 30-second step and, by
// default, of one step before and after (Config.Skew, 0 to 2). Each
// candidate step's code is computed with pquerna/otp's HOTP and compared in
// constant time, so the matched step is known, and the step is recorded
// atomically in a [ReplayStore]: a code is accepted once, and never a code
// of a step earlier than the last accepted one. Codes may be typed with
// spaces or dashes; anything else but the right number of ASCII digits is
// rejected without touching the secret.
//
// Failed attempts are counted per user in an [AttemptStore]; after
// Config.MaxFailures (default 5) the user is locked out for
// Config.LockoutDuration (default 15 minutes) and Verify returns a
// [*LockedOutError] ([ErrLockedOut]) so the application can say "try again
// later". Attempts are counted before the check and forgotten on success, so
// concurrent guesses cannot outrun the counter.
//
// [MemoryStore] serves one process. With several instances, use the Redis
// stores of package totp/redisstore so that a code is single-use and
// failures are counted across all of them.
//
// # Backup codes
//
// [BackupCodes.Generate] returns 10 codes such as "7KQ2-M9XD-4T0V-PB8E": 80
// bits each from crypto/rand, in Crockford's base32 alphabet (no I, L, O or
// U). They are shown once; only HMAC-SHA256 hashes keyed with an application
// key and bound to the user are stored (see [BackupConfig.Key] for why HMAC
// rather than plain SHA-256). [BackupCodes.Verify] compares the input's hash
// with every stored hash in constant time and then deletes it with an atomic
// store operation, so of several concurrent uses of one code exactly one
// succeeds. Generating again replaces the whole set;
// [BackupCodes.Remaining] counts what is left.
//
// # Storing the secret
//
// The TOTP secret is a long-term credential: anyone who reads it can make
// valid codes forever. Store it encrypted, never in plain text. The
// recommended pairing is Bulwark's sealbox package (this package does not
// import it), with the user and field bound as associated data so a sealed
// secret cannot be moved to another account:
//
//	aad := sealbox.AAD("user", userID, "field", "totp_secret")
//	sealed, err := keyring.Seal(enrollment.Secret().Bytes(), aad)
//	// ... store sealed as pending; at confirmation and at every login:
//	raw, err := keyring.Open(sealed, aad)
//	secret, err := totp.SecretFromBytes(raw)
//	err = verifier.Verify(ctx, userID, secret, code)
//
// Key rotation in sealbox re-seals the stored secret without the user
// noticing; the TOTP secret itself changes only by enrolling again.
//
// [Secret], [Enrollment] and [BackupCodes] print "[REDACTED]" through fmt,
// log/slog, encoding/json and other text encoders, so they do not leak into
// logs by accident, also when they sit in unexported fields of your own
// structs (which fmt prints by reflection).
//
// # What this package defends against
//
//   - Code reuse: a phished, shoulder-surfed or intercepted code works at
//     most once, and older codes stop working once a newer one is used.
//   - Online guessing: per-user lock-outs bound an attacker who has the
//     password to a few guesses per window.
//   - Timing attacks on code and backup-code comparison.
//   - A leaked database: backup codes are stored only as keyed hashes, and
//     the TOTP secret is the application's to encrypt (see above).
//
// # What it does not defend against
//
//   - Real-time phishing: a proxy that relays the code within its 30 seconds
//     succeeds. Use WebAuthn/passkeys where that matters.
//   - A compromised device or authenticator app.
//   - Guessing spread across many accounts: the limits are per user; pair
//     this with per-IP rate limiting (package ratelimit) on the login route.
//   - Lock-out as denial of service: anyone who knows a username and
//     password can lock that user out for a while. Log lock-outs.
//   - Clock problems: servers must keep time with NTP; the skew tolerates
//     small drift on the phone, not on the server.
package totp
