package totp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"log/slog"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/bulwark-go/bulwark/internal/opaque"
)

// Enrollment is a pending TOTP enrolment: a fresh secret and the ways to hand
// it to an authenticator app. It is shown to the user once; the app keeps
// only the secret (encrypted) until [Verifier.ConfirmEnrollment] succeeds.
//
// Everything in an Enrollment reveals the secret, so it never prints itself:
// String, GoString, Format, LogValue and MarshalJSON produce "[REDACTED]"
// (for the pointer and for a dereferenced value alike). Get one from
// [Verifier.Enroll]; the zero Enrollment is empty (URI returns "",
// QRCodePNG an error).
type Enrollment struct {
	secret Secret
	key    opaque.Box[otp.Key] // its URI holds the secret
	size   int
}

// Enroll starts an enrolment for account, the name the authenticator app
// shows next to the issuer (usually the user's email address). It makes a new
// random secret (160 bits for SHA1, 256 for SHA256, 512 for SHA512) with the
// Verifier's algorithm and digits. account must be non-empty, at most 200
// bytes, and free of colons and control characters ([ErrInvalidAccount]).
func (v *Verifier) Enroll(account string) (*Enrollment, error) {
	if checkLabel(account, 200) != nil {
		return nil, ErrInvalidAccount
	}
	size := 20
	switch v.algorithm {
	case SHA256:
		size = 32
	case SHA512:
		size = 64
	}
	secret, err := newSecret(size)
	if err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      v.issuer,
		AccountName: account,
		Period:      uint(periodSeconds),
		Secret:      secret.k.Get().raw,
		Digits:      v.opts.Digits,
		Algorithm:   v.opts.Algorithm,
	})
	if err != nil {
		// Unreachable with validated labels; never wrap (no secret leaks).
		return nil, errors.New("totp: building otpauth URI failed")
	}
	return &Enrollment{secret: secret, key: opaque.New(*key), size: v.qrSize}, nil
}

// Secret returns the new secret. Encrypt it before storing it.
func (e *Enrollment) Secret() Secret { return e.secret }

// URI returns the otpauth://totp/... key URI (Google Authenticator key URI
// format) with issuer, account, secret, algorithm, digits and period. It
// contains the secret: never log it or put it in a URL of your own.
func (e *Enrollment) URI() string {
	k := e.key.Get()
	if k == nil {
		return "" // the zero Enrollment
	}
	return k.String()
}

// QRCodePNG returns the URI as a square PNG QR code of the configured size.
func (e *Enrollment) QRCodePNG() ([]byte, error) {
	k := e.key.Get()
	if k == nil {
		return nil, errors.New("totp: empty Enrollment (use Verifier.Enroll)")
	}
	img, err := k.Image(e.size, e.size)
	if err != nil {
		return nil, errors.New("totp: encoding QR code failed")
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, errors.New("totp: encoding PNG failed")
	}
	return buf.Bytes(), nil
}

// QRCodeDataURL returns the QR code as a data:image/png;base64 URL for an
// <img src> attribute. It is typed [template.URL] so html/template emits it
// instead of replacing it with "#ZgotmplZ". Serve the page with
// Cache-Control: no-store: it contains the secret.
func (e *Enrollment) QRCodeDataURL() (template.URL, error) {
	b, err := e.QRCodePNG()
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b)), nil
}

// String returns "[REDACTED]".
func (Enrollment) String() string { return redacted }

// GoString returns "[REDACTED]".
func (Enrollment) GoString() string { return redacted }

// Format writes "[REDACTED]" for every verb.
func (Enrollment) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// LogValue returns "[REDACTED]".
func (Enrollment) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (Enrollment) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText returns "[REDACTED]", for text encoders other than JSON.
func (Enrollment) MarshalText() ([]byte, error) { return []byte(redacted), nil }
