package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"selfcheck/app/outbox"
)

// The timeline page shows the activity feed, as the dispatcher fills it
// after each commit, in the page's language only; another firm gets a 404.
func TestTimelineShowsActivity(t *testing.T) {
	a := newTestApp(t)
	d := outbox.New(a.store, nil, time.Hour, outbox.ActivityFeed{Store: a.store})
	a.store.OnEventsCommitted(d.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	firm := a.client()
	firm.login("firm@demo.local")
	id := startCampaign(t, firm)
	if r := answerAll(t, firm, id); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	var page string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		page = firm.get("/assessments/" + id + "/timeline").Body
		if strings.Contains(page, "提交了审核") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the submit is not in the activity feed:\n%s", page)
		}
	}
	mustContain(t, page, "动态", "示例合规专员", "保存了结论")
	if strings.Contains(page, "submitted the assessment") {
		t.Error("the Chinese page shows English activity")
	}
	firm.lang = "en"
	page = firm.get("/assessments/" + id + "/timeline").Body
	mustContain(t, page, "Activity", "submitted the assessment for review", "saved the answer to")
	if strings.Contains(page, "提交了审核") || strings.Contains(page, "动态") {
		t.Error("the English page shows Chinese activity")
	}
	a.addFirmUser("other@firm.local", "另一家公司", "91350100M000100Y43")
	other := a.client()
	other.login("other@firm.local")
	if r := other.get("/assessments/" + id + "/timeline"); r.Status != http.StatusNotFound {
		t.Errorf("another firm reads the activity: %d", r.Status)
	}
}
