package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
)

func ptr(s string) *string { return &s }

// teamFixture is the demo firm with its member, its admin, a second member
// and a disabled one, another firm's member, and a draft the member started.
type teamFixture struct {
	s                                     *Store
	member, admin, second, gone, outsider *User
	id                                    uint
}

func newTeamFixture(t *testing.T) teamFixture {
	t.Helper()
	s, _ := newTestStore(t)
	ctx := context.Background()
	f := teamFixture{s: s, member: demoMember(t, s)}
	var err error
	if f.admin, err = s.Authenticate(ctx, "firmadmin@demo.local", DemoPassword); err != nil {
		t.Fatal(err)
	}
	if f.second, err = s.CreateUser(ctx, NewUser{Email: "legal@demo.local", Name: "法务小王", Password: "password1", Role: auth.FirmMember, FirmID: f.member.FirmID}); err != nil {
		t.Fatal(err)
	}
	if f.gone, err = s.CreateUser(ctx, NewUser{Email: "gone@demo.local", Name: "离职者", Password: "password1", Role: auth.FirmMember, FirmID: f.member.FirmID}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Model(&User{}).Where("id = ?", f.gone.ID).Update("disabled_at", s.db.NowFunc()).Error; err != nil {
		t.Fatal(err)
	}
	other, _ := s.CreateFirm(ctx, "别家", "91350100M000100Y43")
	if f.outsider, err = s.CreateUser(ctx, NewUser{Email: "o@x.cn", Name: "O", Password: "password1", Role: auth.FirmMember, FirmID: &other.ID}); err != nil {
		t.Fatal(err)
	}
	if f.id, err = s.CreateAssessment(ctx, f.member, []*checklist.Checklist{testChecklist()}, nil, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAssignments(t *testing.T) {
	f := newTeamFixture(t)
	s, ctx := f.s, context.Background()

	// A theme to one person, an item of it to another: the item's own wins.
	err := s.SetAssignments(ctx, f.member, f.id, []AssignmentInput{{Theme: "t", User: ptr("LEGAL@demo.local")}, {Item: "t-2", User: ptr(f.admin.Email)}})
	if err != nil {
		t.Fatal(err)
	}
	asg, err := s.Assignments(ctx, f.admin, f.id)
	if err != nil {
		t.Fatal(err)
	}
	if asg.Of["t-1"].UserID != f.second.ID || asg.Of["t-2"].UserID != f.admin.ID || asg.Themes["t"].Name != "法务小王" {
		t.Errorf("assignments %+v", asg)
	}
	if got := asg.Mine(f.second.ID); !slices.Equal(got, []string{"t-1"}) {
		t.Errorf("second's items %v", got)
	}
	// Clearing the item's own assignee gives it back to its theme's.
	if err := s.SetAssignments(ctx, f.admin, f.id, []AssignmentInput{{Item: "t-2", User: nil}}); err != nil {
		t.Fatal(err)
	}
	if asg, _ := s.Assignments(ctx, f.member, f.id); asg.Of["t-2"].UserID != f.second.ID {
		t.Errorf("after clearing, t-2 is %+v", asg.Of["t-2"])
	}

	// Refusals, each naming its entry, and none stores anything.
	for _, tt := range []struct {
		name  string
		who   *User
		in    []AssignmentInput
		field string
		is    error
	}{
		{"unknown theme", f.member, []AssignmentInput{{Item: "t-1", User: ptr(f.admin.Email)}, {Theme: "nope", User: ptr(f.admin.Email)}}, "assignments[1].theme", nil},
		{"unknown item", f.member, []AssignmentInput{{Item: "t-9", User: ptr(f.admin.Email)}}, "assignments[0].item", nil},
		{"unknown user", f.member, []AssignmentInput{{Item: "t-1", User: ptr("nobody@demo.local")}}, "assignments[0].user", nil},
		{"disabled member", f.member, []AssignmentInput{{Item: "t-1", User: ptr(f.gone.Email)}}, "assignments[0].user", nil},
		{"another firm's member", f.member, []AssignmentInput{{Item: "t-1", User: ptr(f.outsider.Email)}}, "assignments[0].user", nil},
		{"neither theme nor item", f.member, []AssignmentInput{{User: ptr(f.admin.Email)}}, "assignments[0]", nil},
		{"a member who did not start it", f.second, []AssignmentInput{{Item: "t-1", User: ptr(f.admin.Email)}}, "", fault.ErrForbidden},
		{"another firm", f.outsider, []AssignmentInput{{Item: "t-1", User: ptr(f.outsider.Email)}}, "", ErrNotFound},
	} {
		err := s.SetAssignments(ctx, tt.who, f.id, tt.in)
		if tt.is != nil && !errors.Is(err, tt.is) || tt.is == nil && !isField(err, tt.field, fault.Unknown) && !isField(err, tt.field, fault.Required) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if asg, _ := s.Assignments(ctx, f.member, f.id); asg.Items["t-1"].UserID != 0 {
		t.Error("a refused change stored part of itself")
	}
	if _, err := s.Assignments(ctx, f.outsider, f.id); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm reads assignments: %v", err)
	}

	// History, audit and events: three changes so far.
	tl, _ := s.Timeline(ctx, f.member, f.id)
	n := 0
	for _, e := range tl {
		if e.Field == fieldAssignee || e.Field == fieldThemeAssignee {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d assignment history rows, want 3", n)
	}
	assigned := 0
	for _, e := range allEvents(t, s) {
		if e.Kind == outbox.Assigned {
			assigned++
		}
	}
	if assigned != 3 {
		t.Errorf("%d assigned events, want 3", assigned)
	}
	root, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	evs, _, err := s.AuditLog(ctx, root, AuditFilter{Action: AuditAssigned})
	if err != nil || len(evs) != 2 {
		t.Errorf("audit: %d entries, %v", len(evs), err)
	}
}

// Two changes of the same item at once: the later wins, and both are in
// the history.
func TestConcurrentAssignmentsLastWriterWins(t *testing.T) {
	f := newTeamFixture(t)
	s, ctx := f.s, context.Background()
	const rounds = 5
	for r := range rounds {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []*User{f.second, f.admin} {
			wg.Go(func() {
				errs[i] = s.SetAssignments(ctx, f.member, f.id, []AssignmentInput{{Item: "t-1", User: ptr(who.Email)}})
			})
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: %v", r, errs)
		}
		tl, _ := s.Timeline(ctx, f.member, f.id)
		var last string
		for _, e := range tl { // newest first
			if e.Field == fieldAssignee {
				last = e.NewValue
				break
			}
		}
		asg, _ := s.Assignments(ctx, f.member, f.id)
		if asg.Of["t-1"].Name != last {
			t.Fatalf("round %d: stored %q, the last history row says %q", r, asg.Of["t-1"].Name, last)
		}
	}
	var rows int64
	s.db.Model(&Change{}).Where("assessment_id = ? AND field = ?", f.id, fieldAssignee).Count(&rows)
	// The first write of round 0 assigns; every later write changes it.
	if rows < rounds+1 {
		t.Errorf("%d history rows for %d rounds of two writes", rows, rounds)
	}
}

// My open items: assigned to me, unanswered or a gap without a complete
// plan, of editable assessments of my firm only.
func TestMyOpenItems(t *testing.T) {
	f := newTeamFixture(t)
	s, ctx := f.s, context.Background()
	if err := s.SetAssignments(ctx, f.admin, f.id, []AssignmentInput{{Theme: "t", User: ptr(f.second.Email)}}); err != nil {
		t.Fatal(err)
	}
	open, err := s.MyOpenItems(ctx, f.second)
	if err != nil || len(open) != 2 || !open[0].Unanswered {
		t.Fatalf("open %+v %v", open, err)
	}
	if _, err := s.SaveAnswers(ctx, f.second, f.id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant}, {ItemID: "t-2", Value: scoring.Partial}}); err != nil {
		t.Fatal(err)
	}
	open, _ = s.MyOpenItems(ctx, f.second)
	if len(open) != 1 || open[0].ItemID != "t-2" || open[0].Unanswered {
		t.Fatalf("after answering: %+v", open)
	}
	if mine, _ := s.MyOpenItems(ctx, f.member); len(mine) != 0 {
		t.Errorf("the member has %+v", mine)
	}
	if mine, _ := s.MyOpenItems(ctx, f.outsider); len(mine) != 0 {
		t.Errorf("another firm's member has %+v", mine)
	}
}
