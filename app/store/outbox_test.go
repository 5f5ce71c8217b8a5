package store

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

// allEvents reads every event of the store, in id order.
func allEvents(t *testing.T, s *Store) []outbox.Event {
	t.Helper()
	evs, err := s.EventsAfter(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func kindsOf(evs []outbox.Event) []outbox.Kind {
	out := make([]outbox.Kind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

// A change's event commits with it: a use case that succeeds leaves its
// event, with the firm and campaign read from the assessment; one that is
// refused or rolled back leaves none.
func TestEventsCommitWithTheirChange(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	var woken atomic.Int32
	s.OnEventsCommitted(func() { woken.Add(1) })
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, id); err == nil {
		t.Fatal("an incomplete assessment was submitted")
	}
	_, err = s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Compliant, Note: "见制度"}})
	if err != nil {
		t.Fatal(err)
	}
	stale := 0
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Version: &stale}}); err == nil {
		t.Fatal("a stale save was taken")
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = s.change(ctx, func(tx *gorm.DB) error {
		if err := emit(tx, eventBy(u, outbox.PlanSaved, id, "t-1", nil)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}

	evs := allEvents(t, s)
	want := []outbox.Kind{outbox.AssessmentCreated, outbox.AnswerSaved, outbox.AnswerSaved, outbox.AssessmentSubmitted}
	if got := kindsOf(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, e := range evs {
		if e.AssessmentID != id || e.FirmID != *u.FirmID || e.ActorID != u.ID || e.ActorName != u.Name || e.At.IsZero() {
			t.Errorf("event %+v: want assessment %d of firm %d by %d %q", e, id, *u.FirmID, u.ID, u.Name)
		}
	}
	if evs[1].ItemID != "t-1" || evs[1].Detail != `{"answer":"compliant"}` {
		t.Errorf("first answer event: %+v", evs[1])
	}
	if evs[2].ItemID != "t-2" || evs[2].Detail != `{"answer":"compliant","note_changed":true}` {
		t.Errorf("second answer event: %+v", evs[2])
	}
	if woken.Load() < 3 {
		t.Errorf("the dispatcher was woken %d times, want one per committed change", woken.Load())
	}
}

// The events of a group-commit batch are written together at its end, only
// for the saves that commit, in the order the saves ran.
func TestGroupCommitEventsOnlyOfCommittedSaves(t *testing.T) {
	s, _, u, id := groupFixture(t)
	ctx := context.Background()
	save := func(item string, version *int) func(tx *gorm.DB) error {
		return func(tx *gorm.DB) error {
			_, _, err := s.saveAnswers(tx, ctx, u, id, []AnswerInput{{ItemID: item, Value: scoring.Partial, Version: version}})
			return err
		}
	}
	stale := 7
	errs := runBatchOf(s, []context.Context{ctx, ctx, ctx, ctx}, []func(tx *gorm.DB) error{
		save("g-02", nil),
		save("g-01", &stale),
		func(tx *gorm.DB) error {
			if err := save("g-04", nil)(tx); err != nil {
				return err
			}
			panic("boom")
		},
		save("g-06", nil),
	})
	if errs[0] != nil || errs[1] == nil || errs[2] == nil || errs[3] != nil {
		t.Fatalf("errors %v", errs)
	}
	var items []string
	for _, e := range allEvents(t, s)[1:] { // after assessment.created
		if e.Kind != outbox.AnswerSaved || e.FirmID != *u.FirmID {
			t.Errorf("event %+v", e)
		}
		items = append(items, e.ItemID)
	}
	if !slices.Equal(items, []string{"g-02", "g-06"}) {
		t.Errorf("events of items %v, want g-02, g-06", items)
	}
}

// The other use cases record their own kinds: plans, evidence, a review,
// a resubmission, and a campaign's creation and auditors (no assessment).
func TestEventKindsOfTheWorkflow(t *testing.T) {
	fx := seedDashboard(t)
	s, ctx := fx.s, context.Background()
	before := len(allEvents(t, s))
	if err := s.Review(ctx, fx.auditor, fx.ids[0], Decision{Action: assessment.RequestChanges, Comment: "请补充"}); err != nil {
		t.Fatal(err)
	}
	m := fx.members[0]
	if _, err := s.SavePlan(ctx, m, fx.ids[0], "a-2", PlanInput{Measure: "整改", Owner: "张三", Due: "2030-01-01", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	ev, err := s.AddEvidence(ctx, m, fx.ids[0], NewEvidence{ItemID: "a-2", Name: "制度.pdf", Kind: "pdf", Data: []byte("%PDF-1.4")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveEvidence(ctx, m, fx.ids[0], ev.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, m, fx.ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, fx.auditor, fx.ids[0], Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	if err := s.AssignAuditors(ctx, fx.admin, fx.campaign, []uint{fx.auditor.ID}); err != nil {
		t.Fatal(err)
	}
	evs := allEvents(t, s)[before:]
	want := []outbox.Kind{outbox.ReviewChangesRequested, outbox.PlanSaved, outbox.EvidenceAdded, outbox.EvidenceRemoved,
		outbox.AssessmentResubmitted, outbox.ReviewApproved, outbox.CampaignAuditorsChanged}
	if got := kindsOf(evs); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for _, e := range evs[:6] {
		if e.AssessmentID != fx.ids[0] || e.CampaignID != fx.campaign || e.FirmID == 0 {
			t.Errorf("event %+v: want assessment %d of campaign %d", e, fx.ids[0], fx.campaign)
		}
	}
	if last := evs[6]; last.AssessmentID != 0 || last.CampaignID != fx.campaign || last.FirmID != 0 {
		t.Errorf("campaign event %+v", last)
	}
}

// The feed ignores a redelivered event, pages newest first, and is scoped
// like the sheet: another firm's user gets ErrNotFound.
func TestActivitiesIdempotentPagedScoped(t *testing.T) {
	fx := seedDashboard(t)
	s, ctx := fx.s, context.Background()
	evs := allEvents(t, s)
	for range 2 {
		if err := (outbox.ActivityFeed{Store: s}).Handle(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	id, m := fx.ids[0], fx.members[0]
	var mine []outbox.Event
	for _, e := range evs {
		if e.AssessmentID == id {
			mine = append(mine, e)
		}
	}
	if len(mine) < 3 {
		t.Fatalf("only %d events of the assessment", len(mine))
	}
	all, more, err := s.Activities(ctx, m, id, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(mine) || more {
		t.Fatalf("%d activities (more: %v), want %d (one per event)", len(all), more, len(mine))
	}
	for i, a := range all {
		if e := mine[len(mine)-1-i]; a.EventID != e.ID || a.Kind != e.Kind || a.ItemID != e.ItemID {
			t.Errorf("activity %d: %+v, want event %+v", i, a, e)
		}
	}
	page, more, err := s.Activities(ctx, m, id, all[0].ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].ID != all[1].ID || page[1].ID != all[2].ID || more != (len(all) > 3) {
		t.Errorf("second page %+v, more %v", page, more)
	}
	if _, _, err := s.Activities(ctx, fx.members[1], id, 0, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm read the feed: %v", err)
	}
}

// A cursor only moves forward, so two dispatchers cannot undo each other.
func TestCursorNeverMovesBack(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	for _, id := range []int64{5, 9, 3} {
		if err := s.SetCursor(ctx, "feed", id); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Cursor(ctx, "feed"); err != nil || got != 9 {
		t.Errorf("cursor %d %v, want 9", got, err)
	}
	if got, err := s.Cursor(ctx, "other"); err != nil || got != 0 {
		t.Errorf("unknown cursor %d %v, want 0", got, err)
	}
}
