package web

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// smtpSink is a real SMTP server in the test that requires AUTH and keeps
// what it accepts, or refuses every recipient when refuse is set.
type smtpSink struct {
	refuse bool
	mu     sync.Mutex
	got    []string // recipients
}

type sinkSession struct {
	s      *smtpSink
	authed bool
}

func (x *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "mailer" || pass != "pa55-secret" {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}
func (x *sinkSession) Mail(string, *smtp.MailOptions) error {
	if !x.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user here"}
	}
	x.s.mu.Lock()
	x.s.got = append(x.s.got, to)
	x.s.mu.Unlock()
	return nil
}
func (x *sinkSession) Data(r io.Reader) error { _, err := io.ReadAll(r); return err }
func (x *sinkSession) Reset()                 {}
func (x *sinkSession) Logout() error          { return nil }

func (s *smtpSink) start(t *testing.T) string {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// The admin's SMTP page shows the settings without the password, and its
// test message reports the server's answer: the queue reply when taken,
// the server's own words when refused.
func TestAdminSMTPPageAndTestMessage(t *testing.T) {
	a := newTestApp(t)
	admin := a.client()
	admin.login("admin@demo.local")
	mustContain(t, admin.get("/admin/smtp").Body, `id="smtp-off"`)

	for _, refuse := range []bool{false, true} {
		sink := &smtpSink{refuse: refuse}
		addr := sink.start(t)
		m, err := notify.NewMailer(notify.SMTPConfig{URL: "smtp://mailer:pa55-secret@" + addr, From: "Selfcheck <noreply@selfcheck.test>"}, "https://sc.example.com", a.server.Messages)
		if err != nil {
			t.Fatal(err)
		}
		a.server.Work.Mailer = m
		page := admin.get("/admin/smtp").Body
		mustContain(t, page, "smtp://127.0.0.1:", "mailer", "已设置（隐藏）", "noreply@selfcheck.test")
		if strings.Contains(page, "pa55-secret") {
			t.Fatal("the page shows the SMTP password")
		}
		r := admin.post("/admin/smtp/test", url.Values{"to": {"ops@example.com"}})
		if !refuse {
			if r.Status != http.StatusOK || !strings.Contains(r.Body, `id="smtp-reply"`) || !strings.Contains(r.Body, "250 ") {
				t.Errorf("test message: %d %s", r.Status, r.Body)
			}
			if len(sink.got) != 1 || sink.got[0] != "ops@example.com" {
				t.Errorf("the server got %v", sink.got)
			}
		} else if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "no such user here") || !strings.Contains(r.Body, "550") {
			t.Errorf("refused test message: %d %s", r.Status, r.Body)
		}
	}
}

// A failed delivery shows on the admins' page with its last error, and
// "retry" makes it due again with a fresh day of attempts.
func TestAdminDeliveriesRetry(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	u, err := a.store.Authenticate(ctx, "auditor@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.AddNotices(ctx, []notify.Notice{{EventID: 424242, UserID: u.ID, Event: "submitted", Link: "/", At: time.Now()}}, []string{notify.MailChannel}); err != nil {
		t.Fatal(err)
	}
	ds, err := a.store.Deliveries(ctx)
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %v %v", ds, err)
	}
	if err := a.store.DeliveryFailed(ctx, ds[0].ID, "554 5.7.1 relay access denied", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	admin := a.client()
	admin.login("admin@demo.local")
	page := admin.get("/admin/deliveries").Body
	mustContain(t, page, "auditor@demo.local", "554 5.7.1 relay access denied", "失败", "/admin/deliveries/")
	if r := admin.post("/admin/deliveries/"+itoa64(ds[0].ID)+"/retry", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("retry: %d", r.Status)
	}
	after, _ := a.store.Deliveries(ctx)
	if after[0].Status != store.DeliveryPending || after[0].Attempts != 0 || after[0].NextAt.After(time.Now().Add(time.Second)) {
		t.Errorf("after retry: %+v", after[0])
	}
	if r := admin.post("/admin/deliveries/99999/retry", nil); r.Status != http.StatusNotFound {
		t.Errorf("retry of no delivery: %d", r.Status)
	}

	// A failed webhook call shows its URL without the bot's token.
	firmAdmin, err := a.store.Authenticate(ctx, "firmadmin@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := a.store.CreateWebhook(ctx, firmAdmin, notify.Webhook{Kind: notify.DingTalk, URL: "https://oapi.dingtalk.com/robot/send?access_token=tok-secret", Events: []string{"submitted"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.AddWebhookDeliveries(ctx, []notify.WebhookNotice{{WebhookID: hook, Notice: notify.Notice{EventID: 424242, Event: "submitted", Link: "/"}}}); err != nil {
		t.Fatal(err)
	}
	ds, _ = a.store.Deliveries(ctx)
	if err := a.store.DeliveryFailed(ctx, ds[len(ds)-1].ID, "webhook: 400 bad request", time.Now(), true); err != nil {
		t.Fatal(err)
	}
	page = admin.get("/admin/deliveries").Body
	mustContain(t, page, "https://oapi.dingtalk.com/robot/send?…", "webhook: 400 bad request")
	if strings.Contains(page, "tok-secret") {
		t.Error("the deliveries page shows a bot's access token")
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
