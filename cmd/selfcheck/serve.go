package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"selfcheck/app/auth"
	"selfcheck/app/notify"
	"selfcheck/app/server"
	"selfcheck/app/verify"
)

type serveConfig struct {
	timezone    *time.Location
	maxEvidence int64 // bytes
	addr        string
	db          string
	demo        bool
	checklists  string // a directory replacing the built-in catalog, or ""
	publicURL   string // where people reach the app: reports' verification links
	derivedURL  bool   // publicURL was derived from addr, not given
	tlsCert     string // certificate file (PEM) for HTTPS, or ""
	tlsKey      string // its private key (PEM)
	certificate *tls.Certificate
	behindProxy bool // trust X-Forwarded-For and X-Forwarded-Proto
	// memoryLimitMiB is the Go runtime's soft memory limit; 0 for none.
	memoryLimitMiB int
	totpKeyFile    string            // the key sealing two-factor secrets; "" for the default
	require2FA     []auth.Role       // roles that must sign in with a code
	smtp           notify.SMTPConfig // e-mail notifications; URL "" for none
	webhookPrivate bool              // webhooks may reach loopback and private addresses
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", envOr("SELFCHECK_ADDR", "127.0.0.1:8080"), "address to listen on (env SELFCHECK_ADDR)")
	fs.StringVar(&cfg.db, "db", envOr("SELFCHECK_DB", "./data/selfcheck.db"), "SQLite database file (env SELFCHECK_DB)")
	fs.BoolVar(&cfg.demo, "demo", false, "create the demo firm and accounts")
	fs.StringVar(&cfg.checklists, "checklists", os.Getenv("SELFCHECK_CHECKLISTS"), "load checklists from this directory instead of the built-in catalog (env SELFCHECK_CHECKLISTS)")
	maxMiB := fs.Int("max-evidence-mib", envInt("SELFCHECK_MAX_EVIDENCE_MIB", 20), "largest evidence file accepted, in MiB (env SELFCHECK_MAX_EVIDENCE_MIB)")
	fs.StringVar(&cfg.publicURL, "public-url", os.Getenv("SELFCHECK_PUBLIC_URL"), "address people reach the app at, for reports' verification links and QR codes, e.g. https://selfcheck.example.com (env SELFCHECK_PUBLIC_URL; default http://, or https:// with --tls-cert, and --addr)")
	fs.StringVar(&cfg.tlsCert, "tls-cert", os.Getenv("SELFCHECK_TLS_CERT"), "serve HTTPS with this certificate file: PEM, the server's certificate then any intermediates; read at start (env SELFCHECK_TLS_CERT; needs --tls-key)")
	fs.StringVar(&cfg.tlsKey, "tls-key", os.Getenv("SELFCHECK_TLS_KEY"), "the private key file of --tls-cert, PEM (env SELFCHECK_TLS_KEY)")
	behindProxy, err := envBool("SELFCHECK_BEHIND_PROXY")
	if err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	fs.BoolVar(&cfg.behindProxy, "behind-proxy", behindProxy, "a reverse proxy on a loopback or private address forwards the requests: trust its X-Forwarded-For (client address) and X-Forwarded-Proto (HTTPS, for Secure cookies) (env SELFCHECK_BEHIND_PROXY=1)")
	fs.IntVar(&cfg.memoryLimitMiB, "memory-limit-mib", envInt("SELFCHECK_MEMORY_LIMIT_MIB", server.DefaultMemoryLimitMiB), "soft limit on the Go runtime's memory, in MiB; 0 for none; GOMEMLIMIT, when set, wins (env SELFCHECK_MEMORY_LIMIT_MIB)")
	tz := fs.String("timezone", envOr("SELFCHECK_TIMEZONE", "Asia/Shanghai"), "IANA time zone for dates on pages and in reports (env SELFCHECK_TIMEZONE)")
	fs.StringVar(&cfg.totpKeyFile, "totp-key-file", os.Getenv("SELFCHECK_TOTP_KEY_FILE"), "file holding the key (32 bytes, base64) that encrypts two-factor secrets in the database; every instance needs the same one (env SELFCHECK_TOTP_KEY_FILE; default for SQLite: the database path + .totp-key, created on first start; PostgreSQL: none, so no two-factor sign-in)")
	require2FA := fs.String("require-2fa", os.Getenv("SELFCHECK_REQUIRE_2FA"), "roles that must sign in with an authenticator app, e.g. admin,auditor; their users set it up after the password (env SELFCHECK_REQUIRE_2FA)")
	fs.StringVar(&cfg.smtp.URL, "smtp-url", os.Getenv("SELFCHECK_SMTP_URL"), "send notifications by e-mail through this server: smtp://[user:pass@]host[:port] (STARTTLS when offered; no user: no AUTH) or smtps://… (implicit TLS) (env SELFCHECK_SMTP_URL; default: in-app notifications only)")
	fs.BoolVar(&cfg.webhookPrivate, "webhook-allow-private", os.Getenv("SELFCHECK_WEBHOOK_ALLOW_PRIVATE") == "1", "let webhooks reach loopback, private and link-local addresses (a bot inside the network); off, only public addresses are called, so a webhook cannot be aimed at this server's network (env SELFCHECK_WEBHOOK_ALLOW_PRIVATE=1)")
	fs.StringVar(&cfg.smtp.From, "smtp-from", os.Getenv("SELFCHECK_SMTP_FROM"), "the From address of the e-mails, e.g. \"Selfcheck <noreply@example.com>\" (env SELFCHECK_SMTP_FROM; needs --smtp-url)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.require2FA, err = parseRequire2FA(*require2FA); err != nil {
		return cfg, fmt.Errorf("serve: %w", err)
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return cfg, fmt.Errorf("serve: --timezone %q: %w", *tz, err)
	}
	cfg.timezone = loc
	if *maxMiB < 1 || *maxMiB > 1024 {
		return cfg, fmt.Errorf("serve: --max-evidence-mib %d: use 1 to 1024", *maxMiB)
	}
	cfg.maxEvidence = int64(*maxMiB) << 20
	if cfg.memoryLimitMiB < 0 {
		return cfg, fmt.Errorf("serve: --memory-limit-mib %d: use 0 (no limit) or more", cfg.memoryLimitMiB)
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return cfg, fmt.Errorf("serve: --addr %q: %w", cfg.addr, err)
	}
	if cfg.db == "" {
		return cfg, errors.New("serve: --db must not be empty")
	}
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return cfg, errors.New("serve: --tls-cert and --tls-key go together: give both (HTTPS) or neither (HTTP)")
	}
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return cfg, fmt.Errorf("serve: --tls-cert %q, --tls-key %q: %w", cfg.tlsCert, cfg.tlsKey, err)
		}
		cfg.certificate = &cert
	}
	if cfg.publicURL == "" {
		cfg.publicURL, cfg.derivedURL = publicURLOf(cfg.addr), true
		if cfg.certificate != nil {
			cfg.publicURL = "https" + strings.TrimPrefix(cfg.publicURL, "http")
		}
	}
	if err := verify.CheckPublicURL(cfg.publicURL); err != nil {
		return cfg, fmt.Errorf("serve: --public-url %q: %w", cfg.publicURL, err)
	}
	if cfg.smtp.URL != "" || cfg.smtp.From != "" {
		if _, _, err := notify.ParseSMTP(cfg.smtp); err != nil {
			// The URL may hold a password: name the fault, not the value.
			return cfg, fmt.Errorf("serve: --smtp-url/--smtp-from: %w", err)
		}
	}
	return cfg, nil
}

// envBool reads a flag's default from the environment: unset is false, and
// a value that is not true or false stops the start rather than be guessed.
func envBool(key string) (bool, error) {
	v := os.Getenv(key)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: use true or false (1 or 0)", key, v)
	}
	return b, nil
}

// publicURLOf is the URL of the listening address addr (host:port), the
// default public URL: fine on one machine, useless in a QR code on paper,
// which is why serve warns when it is used. A wildcard host (":8080",
// "0.0.0.0:8080") becomes the loopback address.
func publicURLOf(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// serve runs the web application until ctx is cancelled (SIGINT/SIGTERM),
// then drains requests for up to 10 s.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	if limit, fromEnv := server.LimitMemory(cfg.memoryLimitMiB); fromEnv {
		log.Info("memory limit from GOMEMLIMIT", "bytes", limit)
	}
	if cfg.certificate == nil && !cfg.behindProxy && strings.HasPrefix(cfg.publicURL, "https:") {
		log.Warn("the public URL is https but this server speaks plain HTTP and trusts no proxy: cookies will not be marked Secure; give --tls-cert and --tls-key, or --behind-proxy when a TLS proxy forwards the requests", "public_url", cfg.publicURL)
	}
	if cfg.derivedURL {
		log.Warn("no --public-url: the verification links and QR codes of reports point to the listening address; set --public-url (SELFCHECK_PUBLIC_URL) to the address people reach", "public_url", cfg.publicURL)
	}

	// Check the built-in (or --checklists) files before touching the
	// database: an invalid catalog stops the start with every problem.
	if _, _, err := loadChecklists(cfg.checklists); err != nil {
		return fmt.Errorf("the checklist catalog is invalid, refusing to start:\n%w", err)
	}
	totpKey, keyFile, err := loadTOTPKey(cfg.totpKeyFile, cfg.db)
	switch {
	case err != nil:
		return fmt.Errorf("serve: %w", err)
	case totpKey == nil && len(cfg.require2FA) > 0:
		return errors.New("serve: --require-2fa needs --totp-key-file: without a key no one can set up two-factor sign-in")
	case totpKey == nil:
		log.Warn("no --totp-key-file: nobody can turn two-factor sign-in on; those who have it sign in with recovery codes only")
	default:
		log.Info("two-factor secrets sealed with the key in a file", "file", keyFile, "required_for", cfg.require2FA)
	}
	var checklists fs.FS
	if cfg.checklists != "" {
		checklists = os.DirFS(cfg.checklists)
	}
	app, err := server.Open(ctx, server.Config{
		DB: cfg.db, Demo: cfg.demo, Checklists: checklists, ChecklistsD: ".",
		Location: cfg.timezone, MaxEvidence: cfg.maxEvidence, PublicURL: cfg.publicURL, BehindProxy: cfg.behindProxy,
		TOTPKey: totpKey, RequireTwoFactor: cfg.require2FA, SMTP: cfg.smtp, WebhookAllowPrivate: cfg.webhookPrivate,
		Log: log, Stdout: stdout,
	})
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", cfg.addr, err)
	}
	hs := &http.Server{
		Handler:           app.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	scheme := "http"
	if cfg.certificate != nil {
		scheme = "https"
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*cfg.certificate}}
	}
	fmt.Fprintf(stdout, "Selfcheck is running at %s://%s/ (database %s). Press Ctrl+C to stop.\n", scheme, ln.Addr(), cfg.db)
	errc := make(chan error, 1)
	go func() {
		if cfg.certificate != nil {
			errc <- hs.ServeTLS(ln, "", "") // the certificate is in TLSConfig
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}
