package notify_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/notify"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
)

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// kinds are the kinds of the stored events from the scheduler, in order.
func scheduledKinds(t *testing.T, st *store.Store) []string {
	t.Helper()
	evs, err := st.EventsAfter(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		switch e.Kind {
		case outbox.DeadlineSoon, outbox.DeadlinePassed, outbox.PlanDue, outbox.PlanOverdue:
			out = append(out, string(e.Kind)+" "+e.Detail)
		}
	}
	return out
}

// The scheduler reminds a firm that has not submitted 7, 3 and 1 days
// before the deadline and once after it, each once however often it runs;
// after downtime only the latest reminder due goes; a plan's owner hears
// of it a week before it is due and when it is overdue.
func TestSchedulerRemindsOnceAndCatchesUp(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.st.CreateAssessment(ctx, f.member, []*checklist.Checklist{list}, nil, &f.campaign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SaveAnswers(ctx, f.member, id, []store.AnswerInput{{ItemID: "n-1", Value: scoring.NonCompliant}}); err != nil {
		t.Fatal(err)
	}
	// The owner names the firm admin's account by e-mail.
	if _, err := f.st.SavePlan(ctx, f.member, id, "n-1", store.PlanInput{Measure: "整改", Owner: f.firmAdmin.Email, Due: "2031-12-28", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	s := &notify.Scheduler{Store: f.st, Log: quiet, DigestHour: 8}
	tick := func(when string) {
		t.Helper()
		if err := s.Tick(ctx, at(t, when)); err != nil {
			t.Fatal(err)
		}
	}
	tick("2031-12-01 09:00") // 30 days before: nothing
	if got := scheduledKinds(t, f.st); len(got) != 0 {
		t.Fatalf("a month before: %v", got)
	}
	tick("2031-12-24 09:00") // 7 days before the deadline, 4 before the plan
	tick("2031-12-24 10:00")
	// Down from the 25th to the 30th: the 3-day reminder is skipped, the
	// 1-day one goes.
	tick("2031-12-30 09:00")
	tick("2031-12-30 18:00")
	tick("2032-01-01 09:00") // the day after: passed
	tick("2032-01-02 09:00")
	want := []string{
		`deadline.soon {"days":7,"deadline":"2031-12-31"}`,
		`plan.due {"due":"2031-12-28","plan":1,"user":` + itoa(f.firmAdmin.ID) + `}`,
		`deadline.soon {"days":1,"deadline":"2031-12-31"}`,
		`plan.overdue {"due":"2031-12-28","plan":1,"user":` + itoa(f.firmAdmin.ID) + `}`,
		`deadline.passed {"deadline":"2031-12-31"}`,
	}
	if got := scheduledKinds(t, f.st); !slices.Equal(got, want) {
		t.Errorf("events:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A second instance's scheduler, ticking the same days, adds nothing.
	other := &notify.Scheduler{Store: f.st, Log: quiet}
	for _, d := range []string{"2031-12-24 09:00", "2031-12-30 09:00", "2032-01-01 09:00"} {
		if err := other.Tick(ctx, at(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	if got := scheduledKinds(t, f.st); len(got) != len(want) {
		t.Errorf("after a second scheduler: %d events, want %d", len(got), len(want))
	}

	f.deliverAll(t, notify.Subscriber{Store: f.st})
	count := func(u *store.User, event string) int {
		n := 0
		for _, line := range f.inbox(t, u) {
			if strings.HasPrefix(line, event+" ") {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		u     *store.User
		event string
		want  int
	}{
		{f.member, "deadline_soon", 2}, {f.firmAdmin, "deadline_soon", 2}, {f.member, "deadline_passed", 1},
		{f.firmAdmin, "plan_due", 1}, {f.firmAdmin, "plan_overdue", 1}, {f.member, "plan_due", 0},
		{f.auditor, "deadline_soon", 0}, {f.otherFirmUser, "deadline_soon", 0},
	} {
		if c.u == nil {
			continue
		}
		if got := count(c.u, c.event); got != c.want {
			t.Errorf("%s has %d %s, want %d", c.u.Email, got, c.event, c.want)
		}
	}
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

// A campaign's own reminder days replace 7, 3 and 1.
func TestSchedulerUsesTheCampaignsDays(t *testing.T) {
	f := newFixture(t)
	if err := f.st.SetReminderDays(context.Background(), f.campaign, "14"); err != nil {
		t.Fatal(err)
	}
	s := &notify.Scheduler{Store: f.st, Log: quiet}
	for _, d := range []string{"2031-12-18 09:00", "2031-12-25 09:00", "2031-12-30 09:00"} {
		if err := s.Tick(context.Background(), at(t, d)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{`deadline.soon {"days":13,"deadline":"2031-12-31"}`}
	if got := scheduledKinds(t, f.st); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

// A submitted firm is not reminded.
func TestSchedulerSkipsSubmittedFirms(t *testing.T) {
	f := newFixture(t)
	f.submitted(t, &f.campaign)
	s := &notify.Scheduler{Store: f.st, Log: quiet}
	if err := s.Tick(context.Background(), at(t, "2031-12-30 09:00")); err != nil {
		t.Fatal(err)
	}
	if got := scheduledKinds(t, f.st); len(got) != 0 {
		t.Errorf("a submitted firm is reminded: %v", got)
	}
}

func TestParseReminderDays(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"7,3,1", []int{7, 3, 1}, true},
		{" 1, 14 ,3,3", []int{14, 3, 1}, true},
		{"", nil, true},
		{"0", nil, false},
		{"91", nil, false},
		{"x", nil, false},
		{"1,2,3,4,5,6", nil, false},
	} {
		got, err := notify.ParseReminderDays(c.in)
		if (err == nil) != c.ok || !slices.Equal(got, c.want) {
			t.Errorf("ParseReminderDays(%q) = %v, %v", c.in, got, err)
		}
	}
}

// The e-mails a user wants in the digest are held, gathered once a day
// from DigestHour into one message listing them; an event set to in-app
// only sends none; every message has an unsubscribe link for its kind of
// event whose token names the recipient and the event.
func TestDigestAndUnsubscribeLinks(t *testing.T) {
	msgs, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	ctx := context.Background()
	if err := f.st.SetNotifyPrefs(ctx, f.auditor.ID, notify.Prefs{"submitted": notify.Digest, "resubmitted": notify.Digest}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.SetNotifyPrefs(ctx, f.member.ID, notify.Prefs{"rejected": notify.InApp}); err != nil {
		t.Fatal(err)
	}
	id := f.submitted(t, &f.campaign)
	if err := f.st.Review(ctx, f.auditor, id, store.Decision{Action: assessment.Reject, Comment: "不符合"}); err != nil {
		t.Fatal(err)
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st, Channels: []string{notify.MailChannel}})
	ds, err := f.st.Deliveries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status := map[uint]string{}
	for _, d := range ds {
		status[d.UserID] = d.Status
	}
	if len(ds) != 2 || status[f.auditor.ID] != store.DeliveryHeld || status[f.firmAdmin.ID] != store.DeliveryPending {
		t.Fatalf("deliveries: %+v", ds)
	}
	s := &notify.Scheduler{Store: f.st, Log: quiet, DigestHour: 8}
	// Yesterday: the digest the 09:00 tick makes is due at 09:00 of that
	// day, and the sender sends only what is due by the real clock; today's
	// 09:00 is still ahead when the test runs in the small hours.
	day := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	morning := at(t, day+" 07:00")
	if err := s.Tick(ctx, morning); err != nil {
		t.Fatal(err)
	}
	if ds, _ := f.st.Deliveries(ctx); len(ds) != 2 {
		t.Fatalf("a digest before 8:00: %+v", ds)
	}
	for range 2 {
		if err := s.Tick(ctx, morning.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	srv := &mailServer{}
	srv.start(t, "", nil)
	m, err := notify.NewMailer(notify.SMTPConfig{URL: "smtp://" + srv.addr, From: "noreply@selfcheck.test"}, "https://sc.example.com", msgs)
	if err != nil {
		t.Fatal(err)
	}
	m.UnsubscribeKey = key
	run(t, &notify.Sender{Store: f.st, Channels: map[string]notify.Channel{notify.MailChannel: m}, Log: quiet, Poll: 10 * time.Millisecond, Timeout: 5 * time.Second})
	waitDone(t, f.st, 3) // the held one (now digested), the digest, the firm admin's
	got := map[string]parsed{}
	for _, r := range srv.messages() {
		if _, dup := got[r.to]; dup {
			t.Errorf("two messages to %s", r.to)
		}
		got[r.to] = parse(t, r.data)
	}
	if len(got) != 2 {
		t.Fatalf("messages to %d people, want 2 (the auditor's digest, the firm admin's rejection)", len(got))
	}
	digest := got[f.auditor.Email]
	if !strings.Contains(digest.subject, "每日摘要：1 条通知") || !strings.Contains(digest.plain, "提交了自查") {
		t.Errorf("the digest: %+v", digest)
	}
	tokens := regexp.MustCompile(`/unsubscribe\?t=([A-Za-z0-9_.-]+)`)
	for who, want := range map[*store.User]string{f.auditor: "submitted", f.firmAdmin: "rejected"} {
		msg := got[who.Email]
		mt := tokens.FindStringSubmatch(msg.plain)
		if mt == nil || !strings.Contains(msg.html, "https://sc.example.com/unsubscribe?t=") {
			t.Errorf("no unsubscribe link to %s: %s", who.Email, msg.plain)
			continue
		}
		user, event, err := notify.ParseUnsubscribeToken(key, mt[1])
		if err != nil || user != who.ID || event != want {
			t.Errorf("the link to %s unsubscribes user %d from %q (%v), want %d from %q", who.Email, user, event, err, who.ID, want)
		}
		if _, _, err := notify.ParseUnsubscribeToken([]byte("another server's key, 32 bytes.."), mt[1]); err == nil {
			t.Error("a token checks with another key")
		}
	}
}

// countingStore counts the scheduler's rounds that reached the store.
type countingStore struct {
	*store.Store
	mu     sync.Mutex
	rounds int
}

func (c *countingStore) DeadlineTargets(ctx context.Context, since string) ([]notify.DeadlineTarget, error) {
	c.mu.Lock()
	c.rounds++
	c.mu.Unlock()
	return c.Store.DeadlineTargets(ctx, since)
}

func (c *countingStore) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rounds
}

// Two instances' schedulers on one database: only the lease holder runs.
func TestSchedulerRunsOnOneInstance(t *testing.T) {
	f := newFixture(t)
	a, b := &countingStore{Store: f.st}, &countingStore{Store: f.st}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, st := range []*countingStore{a, b} {
		s := &notify.Scheduler{Store: st, Log: quiet, Every: 10 * time.Millisecond, Lease: time.Minute}
		wg.Go(func() { s.Run(ctx) })
	}
	deadline := time.Now().Add(20 * time.Second)
	for a.count()+b.count() < 10 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if a.count()+b.count() < 10 || (a.count() != 0 && b.count() != 0) {
		t.Errorf("rounds: %d and %d, want all on one instance", a.count(), b.count())
	}
}

// An evidence file's firm admins hear once that it is about to lapse, as
// it enters the 30 days the pages flag, and again only for a new date; a
// plan an auditor verified is not reminded of as due or overdue.
func TestSchedulerEvidenceExpiringAndVerifiedPlans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	id, err := f.st.CreateAssessment(ctx, f.member, []*checklist.Checklist{list}, nil, &f.campaign)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := f.st.AddEvidence(ctx, f.member, id, store.NewEvidence{ItemID: "n-1", Name: "许可证.pdf", Kind: "pdf",
		Data: []byte("%PDF-1.4\n%%EOF\n"), ValidUntil: "2031-06-30"})
	if err != nil {
		t.Fatal(err)
	}
	s := &notify.Scheduler{Store: f.st, Log: quiet, DigestHour: 8}
	expiring := func() []string {
		t.Helper()
		evs, err := f.st.EventsAfter(ctx, 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			if e.Kind == outbox.EvidenceExpiring {
				out = append(out, e.Detail)
			}
		}
		return out
	}
	for _, when := range []string{"2031-05-30 09:00", "2031-05-31 09:00", "2031-06-01 09:00", "2031-07-01 09:00"} {
		if err := s.Tick(ctx, at(t, when)); err != nil {
			t.Fatal(err)
		}
		if when == "2031-05-30 09:00" && len(expiring()) != 0 {
			t.Fatalf("31 days before: %v", expiring())
		}
	}
	want := `{"evidence":` + itoa(ev.ID) + `,"name":"许可证.pdf","valid_until":"2031-06-30"}`
	if got := expiring(); len(got) != 1 || got[0] != want {
		t.Fatalf("evidence reminders: %v, want [%s]", got, want)
	}
	if _, err := f.st.SetEvidenceValidUntil(ctx, f.member, id, ev.ID, "2031-07-15"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tick(ctx, at(t, "2031-07-02 09:00")); err != nil {
		t.Fatal(err)
	}
	if got := expiring(); len(got) != 2 {
		t.Errorf("after a new date: %d reminders, want 2", len(got))
	}
	f.deliverAll(t, notify.Subscriber{Store: f.st})
	n := 0
	for _, line := range f.inbox(t, f.firmAdmin) {
		if strings.HasPrefix(line, "evidence_expiring ") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("the firm admin has %d evidence_expiring notices, want 2: %v", n, f.inbox(t, f.firmAdmin))
	}
	for _, line := range f.inbox(t, f.member) {
		if strings.HasPrefix(line, "evidence_expiring ") {
			t.Errorf("a member is told: %s", line)
		}
	}
}
