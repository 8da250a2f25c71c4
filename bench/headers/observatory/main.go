// Command observatory serves a login-style page through the bulwark
// headers and CSRF middleware for the MDN HTTP Observatory to grade: plain
// HTTP on -http (redirecting to HTTPS) and HTTPS on -https with a fresh
// self-signed certificate for localhost, whose PEM is written to -ca so
// the scanner can be told to trust it (NODE_EXTRA_CA_CERTS). It listens on
// 127.0.0.1 only. run.sh drives the whole measurement.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"html/template"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/bulwark-go/bulwark/headers"
)

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><h1>Sign in</h1>
<form method="post" action="/login">
<label>Email <input name="email" type="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button>Sign in</button></form>
<p id="js"></p>
<script nonce="{{.}}">document.getElementById("js").textContent = "inline script with nonce ran";</script>
</body></html>`))

func main() {
	httpPort := flag.String("http", "18080", "plain HTTP port on 127.0.0.1")
	httpsPort := flag.String("https", "18443", "HTTPS port on 127.0.0.1")
	caFile := flag.String("ca", "observatory-ca.pem", "where to write the self-signed certificate")
	flag.Parse()

	h, err := headers.New(headers.Config{RedirectHTTP: true, RedirectHost: "localhost:" + *httpsPort})
	if err != nil {
		log.Fatal(err)
	}
	csrf, err := headers.NewCSRF(headers.CSRFConfig{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{
			Name: "__Host-session", Value: "demo", Path: "/",
			Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, headers.Nonce(r.Context()))
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("User-agent: *\nDisallow:\n"))
	})
	app := h.Handler(csrf.Handler(mux))

	cert, err := selfSigned(*caFile)
	if err != nil {
		log.Fatal(err)
	}
	go func() { log.Fatal(http.ListenAndServe("127.0.0.1:"+*httpPort, app)) }()
	srv := &http.Server{
		Addr:              "127.0.0.1:" + *httpsPort,
		Handler:           app,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	log.Printf("serving http://localhost:%s and https://localhost:%s", *httpPort, *httpsPort)
	log.Fatal(srv.ListenAndServeTLS("", ""))
}

// selfSigned makes a one-day certificate for localhost and 127.0.0.1 and
// writes it, PEM-encoded, to caFile.
func selfSigned(caFile string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "localhost"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
