package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/notify"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a fresh database with the demo firm and accounts, a campaign
// with the demo auditor, another auditor outside it, and the firm's two
// users.
type fixture struct {
	url                            string
	st                             *store.Store
	member, firmAdmin, auditor     *store.User
	admin, stranger, otherFirmUser *store.User
	campaign                       uint
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{url: testdb.URL(t, "notify.db")}
	f.open(t)
	ctx := context.Background()
	if err := f.st.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	login := func(email string) *store.User {
		u, err := f.st.Authenticate(ctx, email, store.DemoPassword)
		if err != nil {
			t.Fatal(email, err)
		}
		return u
	}
	f.member, f.firmAdmin = login("firm@demo.local"), login("firmadmin@demo.local")
	f.auditor, f.admin = login("auditor@demo.local"), login("admin@demo.local")
	var err error
	if f.stranger, err = f.st.CreateUser(ctx, store.NewUser{Email: "stranger@audit.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	if f.campaign, err = f.st.CreateCampaign(ctx, f.admin, store.NewCampaign{NameZH: "专项整治", NameEN: "Campaign", Themes: []string{"n"},
		StartsOn: "2021-07-01", Deadline: "2031-12-31", FirmIDs: []uint{*f.member.FirmID}, AuditorIDs: []uint{f.auditor.ID}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(context.Background(), f.url, quiet)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	t.Cleanup(func() { st.Close() })
}

var list = &checklist.Checklist{ID: "n", Version: "1", Title: checklist.Text{ZH: "通知"},
	Sections: []checklist.Section{{ID: "s", Title: checklist.Text{ZH: "节"}, Items: []checklist.Item{
		{ID: "n-1", Text: checklist.Text{ZH: "第一项"}, Weight: 1, Severity: checklist.High},
	}}}}

// submitted starts an assessment of the demo firm (in campaign, when not
// nil), answers it and submits it.
func (f *fixture) submitted(t *testing.T, campaign *uint) uint {
	t.Helper()
	ctx := context.Background()
	id, err := f.st.CreateAssessment(ctx, f.member, []*checklist.Checklist{list}, nil, campaign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveAnswers(ctx, f.member, id, []store.AnswerInput{{ItemID: "n-1", Value: scoring.Compliant}}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Submit(ctx, f.member, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// deliverAll hands every stored event to sub, twice, as an outbox that
// delivered a batch again would.
func (f *fixture) deliverAll(t *testing.T, sub notify.Subscriber) {
	t.Helper()
	ctx := context.Background()
	evs, err := f.st.EventsAfter(ctx, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := sub.Handle(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
}

// inbox is what u's notifications say, oldest first: "event link".
func (f *fixture) inbox(t *testing.T, u *store.User) []string {
	t.Helper()
	ns, _, err := f.st.Notices(context.Background(), u, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].UserID != u.ID {
			t.Errorf("%s reads the notification of user %d", u.Email, ns[i].UserID)
		}
		out = append(out, ns[i].Event+" "+ns[i].Link)
	}
	return out
}

// Each event reaches the people the issue names, once however often the
// outbox delivers it, never the one who acted, and links to the page.
func TestSubscriberNotifiesTheRightPeopleOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inCampaign := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, inCampaign, store.Decision{Action: assessment.RequestChanges, Comment: "请整改",
		Items: []store.ItemVerdict{{ItemID: "n-1", Verdict: store.NeedsChange, Comment: "补充"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveAnswers(ctx, f.member, inCampaign, []store.AnswerInput{{ItemID: "n-1", Value: scoring.Compliant, Note: "已补充"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Submit(ctx, f.member, inCampaign); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Review(ctx, f.auditor, inCampaign, store.Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	alone := f.submitted(t, nil) // no campaign: the admins review it
	if err := f.st.Review(ctx, f.admin, alone, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st})

	c, a := fmt.Sprintf("/assessments/%d", inCampaign), fmt.Sprintf("/assessments/%d", alone)
	firm := []string{"changes_requested " + c, "approved " + c, "rejected " + a}
	tests := []struct {
		who  *store.User
		want []string
	}{
		{f.auditor, []string{"submitted " + c + "/review", "resubmitted " + c + "/review"}},
		{f.admin, []string{"submitted " + a + "/review"}},
		{f.stranger, nil},
		{f.firmAdmin, firm},
		// The member submitted: told of the decisions, not of their own submits.
		{f.member, firm},
	}
	for _, tt := range tests {
		t.Run(tt.who.Email, func(t *testing.T) {
			if got := f.inbox(t, tt.who); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("notifications\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A notice is read by its owner only; the unread count follows.
func TestNoticesReadByTheirOwner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st})
	unread := func(u *store.User) int64 {
		n, err := f.st.UnreadNotices(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if unread(f.member) != 1 || unread(f.firmAdmin) != 1 || unread(f.auditor) != 1 {
		t.Fatalf("unread member %d, firm admin %d, auditor %d; want 1 each", unread(f.member), unread(f.firmAdmin), unread(f.auditor))
	}
	ns, _, _ := f.st.Notices(ctx, f.member, 0, 0)
	if _, err := f.st.MarkNoticeRead(ctx, f.firmAdmin, ns[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another user marks the member's notice read: %v", err)
	}
	if unread(f.member) != 1 {
		t.Error("another user's mark changed the member's count")
	}
	if link, err := f.st.MarkNoticeRead(ctx, f.member, ns[0].ID); err != nil || link != fmt.Sprintf("/assessments/%d", id) {
		t.Fatalf("mark read: %q %v", link, err)
	}
	if unread(f.member) != 0 || unread(f.firmAdmin) != 1 {
		t.Errorf("after reading: member %d, firm admin %d", unread(f.member), unread(f.firmAdmin))
	}
	if err := f.st.MarkAllNoticesRead(ctx, f.firmAdmin); err != nil || unread(f.firmAdmin) != 0 {
		t.Errorf("mark all read: %v, %d unread", err, unread(f.firmAdmin))
	}
}

// A named event (a mention, an assignment) reaches the users its detail
// names: adding such a kind is one entry of Rules.
func TestNamedAudience(t *testing.T) {
	f := newFixture(t)
	const mention outbox.Kind = "test.mention"
	notify.Rules[mention] = notify.Rule{Event: "mention", To: notify.Named}
	defer delete(notify.Rules, mention)
	ev := outbox.Event{ID: 999999, Kind: mention, ActorID: f.member.ID, ActorName: f.member.Name, AssessmentID: 7, ItemID: "n-1",
		Detail: fmt.Sprintf(`{"users": [%d, %d]}`, f.firmAdmin.ID, f.member.ID), At: time.Now()}
	if err := (notify.Subscriber{Store: f.st}).Handle(context.Background(), []outbox.Event{ev}); err != nil {
		t.Fatal(err)
	}
	if got := f.inbox(t, f.firmAdmin); fmt.Sprint(got) != "[mention /assessments/7#item-n-1]" {
		t.Errorf("the named user got %q", got)
	}
	if got := f.inbox(t, f.member); len(got) != 0 {
		t.Errorf("the actor was told of their own mention: %q", got)
	}
}

// channel is an outside channel that records what it is asked to send and
// fails while fail says so.
type channel struct {
	mu    sync.Mutex
	sent  map[string]int // per idempotency key
	calls int
	fail  func(call int) error
	delay time.Duration
}

func (c *channel) Name() string { return "test" }

func (c *channel) Send(ctx context.Context, d notify.Delivery) error {
	c.mu.Lock()
	c.calls++
	call := c.calls
	c.mu.Unlock()
	if c.delay > 0 {
		select {
		case <-time.After(c.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if c.fail != nil {
		if err := c.fail(call); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent == nil {
		c.sent = map[string]int{}
	}
	c.sent[d.Key]++
	return nil
}

func (c *channel) keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, n := range c.sent {
		for range n {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// run runs s until the test ends.
func run(t *testing.T, s *notify.Sender) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitStatus waits until every delivery has left pending, and returns them.
func waitDone(t *testing.T, st *store.Store, n int) []store.DeliveryState {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := st.Deliveries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, d := range ds {
			if d.Status != store.DeliveryPending {
				done++
			}
		}
		if len(ds) == n && done == n {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not done: %+v", ds)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Deliveries are sent once each, a failure retried with backoff until it
// goes, and a delivery failing past GiveUp is failed with its last error.
func TestSenderRetriesThenGivesUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{"test"}})
	// submitted to the auditor, rejected to the two firm users.
	ch := &channel{fail: func(call int) error {
		if call <= 4 {
			return errors.New("421 try again later")
		}
		return nil
	}}
	s := &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{"test": ch}, Log: quiet,
		Workers: 2, Poll: 10 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
	run(t, s)
	ds := waitDone(t, f.st, 3)
	for _, d := range ds {
		if d.Status != store.DeliverySent || d.SentAt == nil {
			t.Errorf("delivery %s: %s", d.IdemKey, d.Status)
		}
	}
	got := ch.keys()
	if len(got) != 3 || got[0] == got[1] || got[1] == got[2] {
		t.Errorf("sent %q: want each of the 3 deliveries once", got)
	}
	if ch.calls < 7 {
		t.Errorf("%d sends: the failures were not retried", ch.calls)
	}

	// A server that never takes it: retried with backoff for GiveUp (24 h
	// of a clock that runs ten minutes a reading), then failed.
	f2 := newFixture(t)
	id = f2.submitted(t, &f2.campaign)
	f2.deliverAll(t, notify.Subscriber{Store: f2.st, Channels: []string{"test"}})
	down := &channel{fail: func(int) error { return errors.New("dial tcp: connection refused") }}
	var mu sync.Mutex
	virtual := time.Now()
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		virtual = virtual.Add(10 * time.Minute)
		return virtual
	}
	s2 := &notify.Sender{Store: f2.st, Channels: map[string]notify.Channel{"test": down}, Log: quiet, Now: clock, Poll: time.Millisecond}
	run(t, s2)
	ds = waitDone(t, f2.st, 1)
	// 1, 2, 4, … 32 min, then hourly: about 26 attempts in 24 h of
	// backoff, fewer as the clock also runs between them.
	if d := ds[0]; d.Status != store.DeliveryFailed || d.Attempts < 10 || d.Attempts > 30 || d.LastError != "dial tcp: connection refused" {
		t.Errorf("after GiveUp: %+v", d)
	}
	_ = id
}

// A permanent error fails at once; a send slower than Timeout is cut off
// and retried.
func TestSenderPermanentAndTimeout(t *testing.T) {
	f := newFixture(t)
	f.submitted(t, &f.campaign)
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{"test"}})
	bad := &channel{fail: func(int) error { return notify.Permanent(errors.New("550 no such user")) }}
	run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{"test": bad}, Log: quiet, Poll: 5 * time.Millisecond})
	if d := waitDone(t, f.st, 1)[0]; d.Status != store.DeliveryFailed || d.Attempts != 1 {
		t.Errorf("permanent failure: %+v", d)
	}

	g := newFixture(t)
	g.submitted(t, &g.campaign)
	g.deliverAll(t, notify.Subscriber{Store: g.st, Channels: []string{"test"}})
	slow := &channel{delay: time.Hour}
	start := time.Now()
	stop := run(t, &notify.Sender{Store: g.st, Channels: map[string]notify.Channel{"test": slow}, Log: quiet, Poll: 5 * time.Millisecond,
		Timeout: 50 * time.Millisecond, MinBackoff: time.Hour})
	deadline := time.Now().Add(10 * time.Second)
	for {
		ds, _ := g.st.Deliveries(context.Background())
		if len(ds) == 1 && ds[0].LastError != "" {
			if ds[0].Status != store.DeliveryPending || ds[0].NextAt.Before(time.Now().Add(50*time.Minute)) {
				t.Errorf("a timed-out send is not retried in an hour: %+v", ds[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a send slower than Timeout was not cut off")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if time.Since(start) > 5*time.Second {
		t.Errorf("a slow server held the sender %v", time.Since(start))
	}
}

// Deliveries claimed by a sender that died before recording them are sent
// after the claim expires; sends recorded are never sent again, even by
// several senders (instances) at once.
func TestSendersShareWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []uint
	for range 3 {
		ids = append(ids, f.submitted(t, nil))
		if err := f.st.Review(ctx, f.admin, ids[len(ids)-1], store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
			t.Fatal(err)
		}
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{"test"}})
	// 3 submits to the admin, 3 rejections to 2 firm users.
	const n = 9
	// A claim whose sender died: nothing recorded, due again at until.
	claimed, err := f.st.ClaimDeliveries(ctx, time.Now(), time.Now().Add(300*time.Millisecond), 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d %v", len(claimed), err)
	}
	// Two more instances, each with its own connection pool.
	ch := &channel{delay: 5 * time.Millisecond}
	for range 2 {
		st, err := store.Open(ctx, f.url, quiet)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		run(t, &notify.Sender{Store: st, Channels: map[string]notify.Channel{"test": ch}, Log: quiet, Workers: 3, Poll: 5 * time.Millisecond})
	}
	ds := waitDone(t, f.st, n)
	got := ch.keys()
	if len(got) != n {
		t.Errorf("sent %d messages for %d deliveries: %q", len(got), n, got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("delivery %s sent twice", got[i])
		}
	}
	for _, d := range ds {
		if d.Status != store.DeliverySent {
			t.Errorf("delivery %s: %s", d.IdemKey, d.Status)
		}
	}
}
