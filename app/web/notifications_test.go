package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"selfcheck/app/notify"
	"selfcheck/app/outbox"
)

// runOutbox runs the outbox dispatcher with the notifications subscriber
// on the test app's store until the test ends, as app/server does.
func (a *testApp) runOutbox(t *testing.T) {
	d := outbox.New(a.store, nil, 20*time.Millisecond, notify.Subscriber{Store: a.store, Channels: []string{notify.MailChannel}})
	a.store.OnEventsCommitted(d.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// bell is the unread count the page header shows, 0 when it shows none.
var bellBadge = regexp.MustCompile(`<a href="/notifications" class="bell unread"[^>]*>[^<]*<span class="badge">(\d+)</span>`)

func bell(body string) string {
	if m := bellBadge.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	if !strings.Contains(body, `<a href="/notifications" class="bell"`) {
		return "no bell"
	}
	return "0"
}

// waitBell waits until c's bell on path shows want.
func waitBell(t *testing.T, c *client, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := bell(c.get(path).Body)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("bell on %s shows %q, want %q", path, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var noticeOpen = regexp.MustCompile(`<form method="post" action="(/notifications/\d+/read)"`)

// The auditor requests changes: the firm's users see the bell at 1 on every
// page, the notification on /notifications links to the assessment, and
// opening it marks it read. Another firm's user sees nothing of it.
func TestNotificationBellAndPage(t *testing.T) {
	a := newTestApp(t)
	a.runOutbox(t)
	a.addFirmUser("other@firm.local", "别家科技有限公司", "91350100M000100Y43")
	firm := a.client()
	firm.login("firm@demo.local")
	admin := a.client()
	admin.login("firmadmin@demo.local")
	other := a.client()
	other.login("other@firm.local")
	auditor := a.client()
	auditor.login("auditor@demo.local")
	// The firm admin reads English: their e-mails will be in it.
	if r := admin.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("switch language: %d", r.Status)
	}

	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	waitBell(t, auditor, "/review", "1")
	waitBell(t, firm, "/", "0") // the submitter is not told of their own act
	page := auditor.get("/assessments/" + id + "/review")
	item := regexp.MustCompile(`name="verdict\.([a-z0-9-]+)"`).FindStringSubmatch(page.Body)[1]
	if r := auditor.post("/assessments/"+id+"/review", url.Values{"decision": {"request_changes"}, "comment": {"请补充截图"},
		"verdict." + item: {"needs_change"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request changes: %d", r.Status)
	}
	for _, path := range []string{"/", "/plans", "/profile", "/assessments/" + id} {
		waitBell(t, firm, path, "1")
	}
	waitBell(t, admin, "/team", "1")
	// The e-mail deliveries carry each recipient's language.
	ds, err := a.store.ClaimDeliveries(context.Background(), time.Now(), time.Now().Add(time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]string{}
	for _, d := range ds {
		langs[d.Email+" "+d.Notice.Event] = d.Lang
	}
	if langs["firm@demo.local changes_requested"] != "zh" || langs["firmadmin@demo.local changes_requested"] != "en" || langs["auditor@demo.local submitted"] != "zh" {
		t.Errorf("languages of the deliveries: %v", langs)
	}
	waitBell(t, other, "/", "0")

	list := firm.get("/notifications")
	mustContain(t, list.Body, "退回了自查 #"+id+"，要求修改。", `href="/assessments/`+id+`"`)
	if strings.Contains(list.Body, "returned assessment") {
		t.Error("the Chinese page shows English")
	}
	open := noticeOpen.FindStringSubmatch(list.Body)
	if open == nil {
		t.Fatalf("no open button: %s", list.Body)
	}
	// Another user cannot open or mark it, a colleague included (who has
	// a notice of their own).
	if r := admin.post(open[1], nil); r.Status != http.StatusNotFound {
		t.Errorf("a colleague opens the member's notification: %d", r.Status)
	}
	if r := other.post(open[1], nil); r.Status != http.StatusNotFound {
		t.Errorf("another firm's user opens it: %d", r.Status)
	}
	r := firm.post(open[1], nil)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/assessments/"+id {
		t.Errorf("open: %d %q", r.Status, r.Header.Get("Location"))
	}
	waitBell(t, firm, "/", "0")
	waitBell(t, admin, "/", "1")
	if r := admin.post("/notifications/read-all", nil); r.Status != http.StatusSeeOther {
		t.Errorf("read all: %d", r.Status)
	}
	waitBell(t, admin, "/", "0")
	admin.lang = "en"
	if body := admin.get("/notifications").Body; strings.Contains(body, "notify.") {
		t.Error("a message key shows on the page")
	}

	// In English, English only.
	firm.lang = "en"
	en := firm.get("/notifications").Body
	mustContain(t, en, "returned assessment #"+id+" for changes.", "Notifications")
	if strings.Contains(en, "退回了自查") {
		t.Error("the English page shows Chinese")
	}
}
