package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"selfcheck/app/testdb"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost
// and its key as PEM files in dir, and returns their paths and the
// certificate.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "selfcheck test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if cert, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

func clearSecurityEnv(t *testing.T) {
	for _, k := range []string{"SELFCHECK_TLS_CERT", "SELFCHECK_TLS_KEY", "SELFCHECK_BEHIND_PROXY", "SELFCHECK_PUBLIC_URL", "SELFCHECK_ADDR"} {
		t.Setenv(k, "")
	}
}

func TestServeTLSAndProxyFlags(t *testing.T) {
	clearSecurityEnv(t)
	dir := t.TempDir()
	cert, key, _ := selfSigned(t, dir, "a")
	_, otherKey, _ := selfSigned(t, dir, "b")
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		refuse string // part of the error; "" when accepted
		tls    bool
		proxy  bool
		public string
	}{
		{name: "plain HTTP", public: "http://127.0.0.1:8080"},
		{name: "TLS", args: []string{"--tls-cert", cert, "--tls-key", key}, tls: true, public: "https://127.0.0.1:8080"},
		{name: "TLS from the environment", env: map[string]string{"SELFCHECK_TLS_CERT": cert, "SELFCHECK_TLS_KEY": key}, tls: true, public: "https://127.0.0.1:8080"},
		{name: "TLS with a public URL", args: []string{"--tls-cert", cert, "--tls-key", key, "--public-url", "https://selfcheck.example.com"}, tls: true, public: "https://selfcheck.example.com"},
		{name: "certificate without key", args: []string{"--tls-cert", cert}, refuse: "--tls-cert and --tls-key go together"},
		{name: "key without certificate", args: []string{"--tls-key", key}, refuse: "--tls-cert and --tls-key go together"},
		{name: "half from the environment", args: []string{"--tls-cert", cert}, env: map[string]string{"SELFCHECK_TLS_CERT": cert}, refuse: "go together"},
		{name: "missing file", args: []string{"--tls-cert", filepath.Join(dir, "none.crt"), "--tls-key", key}, refuse: "none.crt"},
		{name: "key of another certificate", args: []string{"--tls-cert", cert, "--tls-key", otherKey}, refuse: "private key does not match public key"},
		{name: "key file as certificate", args: []string{"--tls-cert", key, "--tls-key", key}, refuse: "--tls-cert"},
		{name: "behind a proxy", args: []string{"--behind-proxy"}, proxy: true, public: "http://127.0.0.1:8080"},
		{name: "behind a proxy, from the environment", env: map[string]string{"SELFCHECK_BEHIND_PROXY": "1"}, proxy: true, public: "http://127.0.0.1:8080"},
		{name: "the flag overrides the environment", args: []string{"--behind-proxy=false"}, env: map[string]string{"SELFCHECK_BEHIND_PROXY": "true"}, public: "http://127.0.0.1:8080"},
		{name: "unreadable environment value", env: map[string]string{"SELFCHECK_BEHIND_PROXY": "yes please"}, refuse: `SELFCHECK_BEHIND_PROXY="yes please"`},
		{name: "TLS behind a proxy", args: []string{"--tls-cert", cert, "--tls-key", key, "--behind-proxy"}, tls: true, proxy: true, public: "https://127.0.0.1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg, err := parseServe(tt.args, io.Discard)
			switch {
			case tt.refuse != "" && err == nil:
				t.Fatalf("accepted: %+v", cfg)
			case tt.refuse != "" && !strings.Contains(err.Error(), tt.refuse):
				t.Fatalf("error %q does not say %q", err, tt.refuse)
			case tt.refuse != "":
				return
			case err != nil:
				t.Fatal(err)
			}
			if (cfg.certificate != nil) != tt.tls || cfg.behindProxy != tt.proxy || cfg.publicURL != tt.public {
				t.Errorf("TLS %v, behind proxy %v, public URL %q; want %v, %v, %q", cfg.certificate != nil, cfg.behindProxy, cfg.publicURL, tt.tls, tt.proxy, tt.public)
			}
		})
	}
}

// TestServeHTTPS starts the real command with a certificate, reaches it
// over TLS trusting only that certificate, and logs in: the cookies are
// Secure.
func TestServeHTTPS(t *testing.T) {
	clearSecurityEnv(t)
	certFile, keyFile, cert := selfSigned(t, t.TempDir(), "server")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo", "--db", testdb.URL(t, "tls.db"),
			"--tls-cert", certFile, "--tls-key", keyFile}, pw, &errOut)
		pw.Close()
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit %d\n%s", code, errOut.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var base string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := regexp.MustCompile(`running at (https://[^/]+/)`).FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("no https address printed; stderr:\n%s", errOut.String())
	}

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r, err := client.Get(base + "login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.TLS == nil || r.TLS.Version < tls.VersionTLS12 {
		t.Errorf("not TLS 1.2 or later: %+v", r.TLS)
	}
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the login page (%d)", r.StatusCode)
	}
	r, err = client.PostForm(base+"login", url.Values{"_csrf": {string(m[1])}, "email": {"firm@demo.local"}, "password": {"demo12345"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("login over TLS: %d", r.StatusCode)
	}
	found := 0
	for _, ck := range r.Cookies() {
		if ck.Name == "__Host-selfcheck_session" || ck.Name == "__Host-selfcheck_csrf" {
			found++
			if !ck.Secure || !ck.HttpOnly {
				t.Errorf("%s: Secure %v HttpOnly %v", ck.Name, ck.Secure, ck.HttpOnly)
			}
		}
	}
	if found != 2 {
		t.Errorf("login set %d of the session and CSRF cookies", found)
	}
	// Plain HTTP to the TLS port gets nowhere.
	if r, err := http.Get("http" + strings.TrimPrefix(base, "https") + "healthz"); err == nil {
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			t.Error("plain HTTP served on the TLS port")
		}
	}
}
