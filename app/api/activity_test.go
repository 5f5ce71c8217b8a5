package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"selfcheck/app/outbox"
)

type activityPageJSON struct {
	Activity []struct {
		ID     int64          `json:"id"`
		Kind   string         `json:"kind"`
		Actor  string         `json:"actor"`
		Item   *string        `json:"item"`
		Detail map[string]any `json:"detail"`
		At     string         `json:"at"`
	} `json:"activity"`
	Next *int64 `json:"next"`
}

func (ta *testAPI) activity(id uint, token, query string) activityPageJSON {
	ta.t.Helper()
	r := ta.get(assessmentPath(id, "/activity"+query), token)
	want(ta.t, r, http.StatusOK)
	var p activityPageJSON
	if err := json.Unmarshal(r.Body, &p); err != nil {
		ta.t.Fatalf("activity: %v: %.300s", err, r.Body)
	}
	return p
}

// The feed, kept by the dispatcher as the server runs it, lists a submit
// once it has happened, newest first, pages with before and limit, and is
// scoped like the assessment: another firm's member gets a 404.
func TestActivityFeed(t *testing.T) {
	t.Parallel()
	ta := newTestAPI(t)
	d := outbox.New(ta.store, nil, time.Hour, outbox.ActivityFeed{Store: ta.store})
	ta.store.OnEventsCommitted(d.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	id, item := ta.submitted()
	var feed activityPageJSON
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		feed = ta.activity(id, ta.memberToken, "?limit=200")
		if len(feed.Activity) > 0 && feed.Activity[0].Kind == "assessment.submitted" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the submit is not in the feed: %+v", feed)
		}
	}
	first := feed.Activity[0]
	if first.Actor == "" || first.Item != nil || first.Detail["to"] != "submitted" || first.At == "" {
		t.Errorf("submit entry %+v", first)
	}
	last := feed.Activity[len(feed.Activity)-1]
	if last.Kind != "assessment.created" || feed.Next != nil {
		t.Errorf("oldest entry %+v, next %v", last, feed.Next)
	}
	var answered bool
	for _, a := range feed.Activity {
		if a.Kind == "answer.saved" && a.Item != nil && *a.Item == item {
			answered = a.Detail["answer"] == "compliant"
		}
	}
	if !answered {
		t.Errorf("no answer.saved entry of %s with the API's response name: %+v", item, feed.Activity)
	}

	page := ta.activity(id, ta.memberToken, "?limit=2")
	if len(page.Activity) != 2 || page.Next == nil || page.Activity[1].ID != *page.Next {
		t.Fatalf("first page %+v", page)
	}
	next := ta.activity(id, ta.memberToken, fmt.Sprintf("?limit=2&before=%d", *page.Next))
	if len(next.Activity) != 2 || next.Activity[0].ID != feed.Activity[2].ID {
		t.Errorf("second page %+v, want it to start at %d", next, feed.Activity[2].ID)
	}
	// The campaign's auditor sees it; another firm's member does not.
	if got := ta.activity(id, ta.auditorToken, "?limit=200"); len(got.Activity) != len(feed.Activity) {
		t.Errorf("the auditor sees %d entries, want %d", len(got.Activity), len(feed.Activity))
	}
	want(t, ta.get(assessmentPath(id, "/activity"), ta.otherFirm()), http.StatusNotFound, "not_found")
	for _, q := range []string{"?limit=0", "?limit=201", "?before=x"} {
		want(t, ta.get(assessmentPath(id, "/activity"+q), ta.memberToken), http.StatusUnprocessableEntity, "invalid")
	}
}
