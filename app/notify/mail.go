package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Translator words a message key in a language (app/i18n's Catalog).
type Translator interface {
	T(lang, key string, args ...any) string
}

// SMTPConfig is where and how the Mailer sends.
type SMTPConfig struct {
	// URL is smtp://[user:pass@]host[:port] (STARTTLS when the server
	// offers it; port 587 by default) or smtps://… (TLS from the first
	// byte; port 465 by default). Without a user no AUTH is tried.
	URL  string
	From string // the From address, e.g. "Selfcheck <noreply@example.com>"
	// TLS, when set, replaces the default TLS settings (tests trust their
	// own certificate with it).
	TLS *tls.Config
}

// ParseSMTP checks an SMTP configuration once at start, naming what is
// wrong.
func ParseSMTP(c SMTPConfig) (*url.URL, *mail.Address, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		// url.Error repeats the URL, password and all: keep only why.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, fmt.Errorf("smtp url: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, nil, fmt.Errorf("smtp url: scheme %q: want smtp:// or smtps://", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, nil, errors.New("smtp url: no host")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, nil, fmt.Errorf("smtp from %q: %w", c.From, err)
	}
	return u, from, nil
}

// Mailer is the e-mail channel: one multipart message (plain text and
// HTML) per delivery, in the recipient's language, linking to the page
// under PublicURL.
type Mailer struct {
	SMTP      SMTPConfig
	PublicURL string
	Messages  Translator
	// UnsubscribeKey signs the unsubscribe links (a server key); nil: the
	// messages have none (tests of other things).
	UnsubscribeKey []byte

	url  *url.URL
	from *mail.Address
}

// NewMailer checks the configuration and returns the channel.
func NewMailer(c SMTPConfig, publicURL string, msgs Translator) (*Mailer, error) {
	u, from, err := ParseSMTP(c)
	if err != nil {
		return nil, err
	}
	return &Mailer{SMTP: c, PublicURL: strings.TrimRight(publicURL, "/"), Messages: msgs, url: u, from: from}, nil
}

// MailChannel is the e-mail channel's name in deliveries.
const MailChannel = "email"

// Name is the channel's name.
func (*Mailer) Name() string { return MailChannel }

// Send sends d as one message. A 5xx answer (an address the server
// refuses) is permanent; a 4xx, a broken connection or a timeout is
// retried by the Sender.
func (m *Mailer) Send(ctx context.Context, d Delivery) error {
	msg, err := m.Compose(d)
	if err != nil {
		return Permanent(err)
	}
	_, err = m.send(ctx, d.Email, msg)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// send sends msg to to and returns the server's answer to the message
// ("250 2.0.0 Ok: queued as …").
func (m *Mailer) send(ctx context.Context, to string, msg []byte) (string, error) {
	host := m.url.Hostname()
	port := m.url.Port()
	implicit := m.url.Scheme == "smtps"
	if port == "" {
		port = "587"
		if implicit {
			port = "465"
		}
	}
	cfg := m.SMTP.TLS
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// The whole conversation ends with ctx: the Sender's timeout.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if implicit {
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", err
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if !implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(cfg); err != nil {
				return "", err
			}
		}
	}
	if user := m.url.User; user != nil && user.Username() != "" {
		pass, _ := user.Password()
		// net/smtp's PLAIN refuses to send the password over a connection
		// that is neither TLS nor to localhost.
		if err := c.Auth(smtp.PlainAuth("", user.Username(), pass, host)); err != nil {
			return "", err
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return "", err
	}
	if err := c.Rcpt(to); err != nil {
		return "", err
	}
	// DATA by hand: net/smtp's Data hides the server's final answer,
	// which the admin's test shows.
	id, err := c.Text.Cmd("DATA")
	if err != nil {
		return "", err
	}
	c.Text.StartResponse(id)
	_, _, err = c.Text.ReadResponse(354)
	c.Text.EndResponse(id)
	if err != nil {
		return "", err
	}
	w := c.Text.DotWriter()
	if _, err := w.Write(msg); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	code, reply, err := c.Text.ReadResponse(250)
	if err != nil {
		return "", err
	}
	c.Quit()
	return fmt.Sprintf("%d %s", code, reply), nil
}

// SendTest sends a short message to to, in lang, at once, and returns the
// server's answer: the admin's check that the settings work. A refusal
// comes back as the error, with the server's text.
func (m *Mailer) SendTest(ctx context.Context, to, lang string) (string, error) {
	addr, err := mail.ParseAddress(to)
	if err != nil {
		return "", Permanent(fmt.Errorf("address %q: %w", to, err))
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", m.from.String())
	hdr("To", addr.String())
	hdr("Subject", mime.BEncoding.Encode("utf-8", m.Messages.T(lang, "notify.mail.subject", m.Messages.T(lang, "notify2.smtp.test_subject"))))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	hdr("Auto-Submitted", "auto-generated")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(m.Messages.T(lang, "notify2.smtp.test_body", m.PublicURL) + "\r\n"))
	qp.Close()
	return m.send(ctx, addr.Address, b.Bytes())
}

// Settings are the Mailer's settings as an admin may see them: the
// password is never among them.
type Settings struct {
	Scheme, Host, Port, User string
	HasPassword              bool
	From                     string
}

// Settings returns the Mailer's settings, password left out.
func (m *Mailer) Settings() Settings {
	out := Settings{Scheme: m.url.Scheme, Host: m.url.Hostname(), Port: m.url.Port(), From: m.from.String()}
	if out.Port == "" {
		out.Port = "587"
		if out.Scheme == "smtps" {
			out.Port = "465"
		}
	}
	if u := m.url.User; u != nil {
		out.User = u.Username()
		_, out.HasPassword = u.Password()
	}
	return out
}

// mailHTML is the HTML part; the text is escaped by html/template.
var mailHTML = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body>{{range .Lines}}<p>{{.Text}}<br><a href="{{.Link}}">{{$.Open}}</a></p>{{end}}
<p style="color:#666">{{.Why}}</p>{{range .Unsubscribe}}<p style="color:#666"><a href="{{.Link}}">{{.Text}}</a></p>{{end}}</body></html>
`))

type mailLine struct{ Text, Link string }

// Compose is the message of d: headers, then a multipart/alternative body
// with the plain text and HTML parts, in the recipient's language. A
// digest lists its notices; every message ends with a link per kind of
// event in it that turns e-mail for that kind off.
func (m *Mailer) Compose(d Delivery) ([]byte, error) {
	lang := d.Lang
	if lang != "en" {
		lang = "zh"
	}
	notices := d.Digest
	if len(notices) == 0 {
		notices = []Notice{d.Notice}
	}
	var lines, unsub []mailLine
	seen := map[string]bool{}
	for _, n := range notices {
		lines = append(lines, mailLine{Text: m.Messages.T(lang, "notify.event."+n.Event, n.ActorName, n.AssessmentID), Link: m.PublicURL + n.Link})
		if !seen[n.Event] && m.UnsubscribeKey != nil {
			seen[n.Event] = true
			unsub = append(unsub, mailLine{Text: m.Messages.T(lang, "notify2.unsubscribe_link", m.Messages.T(lang, "notify2.event."+n.Event)),
				Link: m.PublicURL + "/unsubscribe?t=" + UnsubscribeToken(m.UnsubscribeKey, n.UserID, n.Event)})
		}
	}
	subject := m.Messages.T(lang, "notify.mail.subject", lines[0].Text)
	if d.Digest != nil {
		subject = m.Messages.T(lang, "notify.mail.subject", m.Messages.T(lang, "notify2.digest_subject", len(d.Digest)))
	}
	open := m.Messages.T(lang, "notify.mail.open")
	why := m.Messages.T(lang, "notify.mail.why", m.PublicURL+"/profile")
	var html bytes.Buffer
	htmlLang := "zh-CN"
	if lang == "en" {
		htmlLang = "en"
	}
	if err := mailHTML.Execute(&html, map[string]any{"Lang": htmlLang, "Subject": subject, "Lines": lines, "Open": open, "Why": why, "Unsubscribe": unsub}); err != nil {
		return nil, err
	}
	var plain strings.Builder
	for _, l := range lines {
		plain.WriteString(l.Text + "\r\n" + open + ": " + l.Link + "\r\n\r\n")
	}
	plain.WriteString("-- \r\n" + why + "\r\n")
	for _, l := range unsub {
		plain.WriteString(l.Text + ": " + l.Link + "\r\n")
	}

	var b bytes.Buffer
	var rnd [12]byte
	rand.Read(rnd[:])
	boundary := "selfcheck-" + hex.EncodeToString(rnd[:])
	to := mail.Address{Name: d.Name, Address: d.Email}
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", m.from.String())
	hdr("To", to.String())
	hdr("Subject", mime.BEncoding.Encode("utf-8", subject))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	// One id per delivery: a server or client that sees the message twice
	// (a retry after a lost answer) can tell it is the same one.
	hdr("Message-ID", "<"+strings.ReplaceAll(d.Key, ":", ".")+"@"+m.from.Address[strings.LastIndex(m.from.Address, "@")+1:]+">")
	hdr("X-Selfcheck-Delivery", d.Key)
	hdr("Auto-Submitted", "auto-generated")
	if len(unsub) == 1 {
		hdr("List-Unsubscribe", "<"+unsub[0].Link+">")
	}
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	part := func(ctype, body string) {
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", boundary, ctype)
		w := quotedprintable.NewWriter(&b)
		w.Write([]byte(body))
		w.Close()
		b.WriteString("\r\n")
	}
	part("text/plain", plain.String())
	part("text/html", html.String())
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}
