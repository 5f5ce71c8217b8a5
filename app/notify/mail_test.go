package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"selfcheck/app/assessment"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// mailServer is a real SMTP server in the test process that keeps what it
// accepts. With a user it requires AUTH; with tlsMode "starttls" it offers
// STARTTLS, with "implicit" it speaks TLS from the first byte. tempFail
// answers 451 to the first tempFail messages.
type mailServer struct {
	user, pass string
	tempFail   int

	mu       sync.Mutex
	got      []received
	attempts int
	addr     string
}

type received struct {
	from, to string
	authed   bool
	tls      bool
	data     []byte
}

type mailSession struct {
	s      *mailServer
	conn   *smtp.Conn
	authed bool
	from   string
	to     string
}

func (m *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (m *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != m.s.user || pass != m.s.pass {
			return errors.New("invalid credentials")
		}
		m.authed = true
		return nil
	}), nil
}

func (m *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if m.s.user != "" && !m.authed {
		return smtp.ErrAuthRequired
	}
	m.from = from
	return nil
}

func (m *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { m.to = to; return nil }

func (m *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m.s.mu.Lock()
	defer m.s.mu.Unlock()
	m.s.attempts++
	if m.s.attempts <= m.s.tempFail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	_, isTLS := m.conn.TLSConnectionState()
	m.s.got = append(m.s.got, received{from: m.from, to: m.to, authed: m.authed, tls: isTLS, data: b})
	return nil
}

func (m *mailSession) Reset()        {}
func (m *mailSession) Logout() error { return nil }

func (s *mailServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// start serves on a loopback port until the test ends.
func (s *mailServer) start(t *testing.T, tlsMode string, cert *tls.Config) {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &mailSession{s: s, conn: c}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = tlsMode == ""
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var l net.Listener
	var err error
	switch tlsMode {
	case "implicit":
		l, err = tls.Listen("tcp", "127.0.0.1:0", cert)
	case "starttls":
		srv.TLSConfig = cert
		fallthrough
	default:
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// selfSigned is a certificate for 127.0.0.1, and a client config trusting it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}}},
		&tls.Config{RootCAs: pool}
}

// parsed is a received message: its headers and its two parts, decoded.
type parsed struct {
	to, subject, plain, html string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	out := parsed{to: msg.Header.Get("To"), subject: subject}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q %v", mt, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			out.plain = string(b)
		case "text/html":
			out.html = string(b)
		}
	}
	if out.plain == "" || out.html == "" {
		t.Fatalf("a part is missing: %+v", out)
	}
	return out
}

// The e-mails of a rejection reach the firm's two users, each in their
// language, with the link under the public URL; over plain SMTP without
// AUTH, with AUTH, with STARTTLS and with implicit TLS.
func TestMailReachesEachRecipientInTheirLanguage(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name, scheme, tls, user string
	}{
		{"no AUTH, no TLS", "smtp", "", ""},
		{"AUTH PLAIN", "smtp", "", "mailer"},
		{"STARTTLS and AUTH", "smtp", "starttls", "mailer"},
		{"implicit TLS", "smtps", "implicit", "mailer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if err := f.st.SetUserLanguage(ctx, f.firmAdmin.ID, "en"); err != nil {
				t.Fatal(err)
			}
			id := f.submitted(t, &f.campaign)
			if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
				t.Fatal(err)
			}
			srv := &mailServer{user: tt.user, pass: "s3cret"}
			srv.start(t, tt.tls, serverTLS)
			u := tt.scheme + "://" + srv.addr
			if tt.user != "" {
				u = tt.scheme + "://" + tt.user + ":s3cret@" + srv.addr
			}
			m, err := notify.NewMailer(notify.SMTPConfig{URL: u, From: "Selfcheck <noreply@selfcheck.test>", TLS: clientTLS}, "https://selfcheck.example.com/", msgs)
			if err != nil {
				t.Fatal(err)
			}
			f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{notify.MailChannel}})
			run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet, Poll: 10 * time.Millisecond, Timeout: 5 * time.Second})
			ds := waitDone(t, f.st, 3) // submitted to the auditor, rejected to the two firm users
			for _, d := range ds {
				if d.Status != store.DeliverySent {
					t.Fatalf("delivery %s: %s %s", d.IdemKey, d.Status, d.LastError)
				}
			}
			got := map[string]parsed{}
			for _, r := range srv.messages() {
				if r.from != "noreply@selfcheck.test" || r.authed != (tt.user != "") || r.tls != (tt.tls != "") {
					t.Errorf("message to %s: from %q, authed %v, tls %v", r.to, r.from, r.authed, r.tls)
				}
				if _, dup := got[r.to]; dup {
					t.Errorf("two messages to %s", r.to)
				}
				got[r.to] = parse(t, r.data)
			}
			link := fmt.Sprintf("https://selfcheck.example.com/assessments/%d", id)
			zh, en := got[f.member.Email], got[f.firmAdmin.Email]
			if !strings.Contains(zh.subject, "驳回了自查") || !strings.Contains(zh.plain, link) || !strings.Contains(zh.html, `href="`+link+`"`) ||
				strings.Contains(zh.plain, "rejected") {
				t.Errorf("the Chinese message: %+v", zh)
			}
			if !strings.Contains(en.subject, "rejected assessment") || !strings.Contains(en.plain, link) || !strings.Contains(en.html, `lang="en"`) ||
				strings.Contains(en.plain, "驳回") {
				t.Errorf("the English message: %+v", en)
			}
			if a := got[f.auditor.Email]; !strings.Contains(a.plain, link+"/review") {
				t.Errorf("the auditor's message: %+v", a)
			}
			if len(got) != 3 {
				t.Errorf("messages to %d people, want 3", len(got))
			}
		})
	}
}

// A 451 is retried until the server takes the message: one message in the
// end, none twice; a bad password is retried too (the server may be
// reconfigured), and the delivery shows the server's answer.
func TestMailRetriesAfterA4xx(t *testing.T) {
	msgs, _ := i18n.Load()
	f := newFixture(t)
	f.submitted(t, &f.campaign)
	srv := &mailServer{tempFail: 2}
	srv.start(t, "", nil)
	m, err := notify.NewMailer(notify.SMTPConfig{URL: "smtp://" + srv.addr, From: "noreply@selfcheck.test"}, "http://localhost:8080", msgs)
	if err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{notify.MailChannel}})
	run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet,
		Poll: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	ds := waitDone(t, f.st, 1)
	if ds[0].Status != store.DeliverySent || ds[0].Attempts != 3 {
		t.Errorf("after two 451s: %+v", ds[0])
	}
	if got := srv.messages(); len(got) != 1 || got[0].to != f.auditor.Email {
		t.Errorf("%d messages: %+v", len(got), got)
	}

	g := newFixture(t)
	g.submitted(t, &g.campaign)
	locked := &mailServer{user: "mailer", pass: "right"}
	locked.start(t, "", nil)
	m, _ = notify.NewMailer(notify.SMTPConfig{URL: "smtp://mailer:wrong@" + locked.addr, From: "noreply@selfcheck.test"}, "http://localhost:8080", msgs)
	g.deliverAll(t, notify.Subscriber{Store: g.st, Channels: []string{notify.MailChannel}})
	run(t, &notify.Sender{Store: g.st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet, Poll: 5 * time.Millisecond})
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, _ := g.st.Deliveries(context.Background())
		if len(ds) == 1 && ds[0].LastError != "" {
			if !strings.Contains(ds[0].LastError, "invalid credentials") {
				t.Errorf("a refused login shows %q", ds[0].LastError)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a refused login was not recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Bad settings are refused at start, naming what is wrong.
func TestParseSMTP(t *testing.T) {
	tests := []struct{ url, from, want string }{
		{"smtp://mail.example.com:25", "noreply@example.com", ""},
		{"smtps://u:p@mail.example.com", "Selfcheck <noreply@example.com>", ""},
		{"http://mail.example.com", "noreply@example.com", "scheme"},
		{"smtp://", "noreply@example.com", "no host"},
		{"smtp://mail.example.com", "not an address", "smtp from"},
	}
	for _, tt := range tests {
		_, _, err := notify.ParseSMTP(notify.SMTPConfig{URL: tt.url, From: tt.from})
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ParseSMTP(%q, %q) = %v, want %q", tt.url, tt.from, err, tt.want)
		}
	}
}
