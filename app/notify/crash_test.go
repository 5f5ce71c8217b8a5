package notify_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"selfcheck/app/assessment"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/store"
)

// childEnv names the database and SMTP server of a sender run as a child
// process of the test binary (TestMain), which the test kills.
const childEnv = "SELFCHECK_NOTIFY_SENDER_CHILD"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		os.Exit(runChildSender(v))
	}
	os.Exit(m.Run())
}

// runChildSender sends the due e-mails of the database until it is killed.
func runChildSender(v string) int {
	db, addr, _ := strings.Cut(v, "|")
	ctx := context.Background()
	st, err := store.Open(ctx, db, quiet)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	msgs, err := i18n.Load()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m, err := notify.NewMailer(notify.SMTPConfig{URL: "smtp://" + addr, From: "Selfcheck <noreply@selfcheck.test>"}, "https://selfcheck.example.com/", msgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	(&notify.Sender{Store: st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet, Workers: 1,
		Poll: 10 * time.Millisecond, Timeout: 5 * time.Second}).Run(ctx)
	return 0
}

// holdingSession is an SMTP session whose first message is kept and then
// held: the server has it, the sender has not heard back.
type holdingSession struct {
	mailSession
	hold *hold
}

// hold is closed once, when the first message is in, and keeps that
// message's answer back until release.
type hold struct {
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

func (h *holdingSession) Data(r io.Reader) error {
	if err := h.mailSession.Data(r); err != nil {
		return err
	}
	first := false
	h.hold.once.Do(func() { first = true; close(h.hold.held) })
	if first {
		<-h.hold.release // the child is killed meanwhile
	}
	return nil
}

// A sender killed after the server took a message and before it recorded
// the delivery as sent: the next sender sends it again once the claim
// expires, with the same Message-ID (the idempotency key of the delivery,
// by which mail clients show a message once), every other delivery goes
// once, and every delivery ends recorded as sent exactly once.
func TestSenderKilledBetweenSendAndRecord(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{notify.MailChannel}})
	srv := &mailServer{}
	h := &hold{held: make(chan struct{}), release: make(chan struct{})}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &holdingSession{mailSession: mailSession{s: srv, conn: c}, hold: h}, nil
	}))
	s.Domain, s.AllowInsecureAuth = "localhost", true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	t.Cleanup(func() { close(h.release); s.Close() })

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+f.url+"|"+l.Addr().String())
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-h.held:
	case <-time.After(30 * time.Second):
		child.Process.Kill()
		t.Fatal("the child sender sent nothing")
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	child.Wait()

	// The next sender, in this process, past the dead one's claim.
	later := func() time.Time { return time.Now().Add(time.Hour) }
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.NewMailer(notify.SMTPConfig{URL: "smtp://" + l.Addr().String(), From: "Selfcheck <noreply@selfcheck.test>"}, "https://selfcheck.example.com/", msgs)
	if err != nil {
		t.Fatal(err)
	}
	run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet, Poll: 10 * time.Millisecond, Timeout: 5 * time.Second, Now: later})
	ds := waitDone(t, f.st, 3) // submitted to the auditor, rejected to the two firm users
	for _, d := range ds {
		if d.Status != store.DeliverySent {
			t.Errorf("delivery %d: %s", d.ID, d.Status)
		}
	}
	ids := map[string]int{}
	for _, r := range srv.messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(r.data)))
		if err != nil {
			t.Fatal(err)
		}
		ids[msg.Header.Get("Message-ID")]++
	}
	twice := 0
	for id, n := range ids {
		switch {
		case n == 2:
			twice++
		case n != 1:
			t.Errorf("%s received %d times", id, n)
		}
	}
	if len(ids) != 3 || twice != 1 {
		t.Errorf("%d distinct messages (want 3), %d received twice (want the one in flight at the kill): %v", len(ids), twice, ids)
	}
}
