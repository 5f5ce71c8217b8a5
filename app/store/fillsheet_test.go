package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// TestFillSheetMatchesSheet: the fill-in page's loader returns what Sheet
// does, for every role, with a campaign, answers, plans and evidence (one
// removed), and refuses what Sheet refuses.
func TestFillSheetMatchesSheet(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	other, err := s.CreateUser(ctx, NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "2021 专项整治", NameEN: "2021 campaign", Themes: []string{"t"},
		StartsOn: "2021-07-01", Deadline: "2021-12-31", FirmIDs: []uint{*u.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	same := func(who *User, id uint) {
		t.Helper()
		want, werr := s.Sheet(ctx, who, id)
		got, gerr := s.FillSheet(ctx, who, id)
		if !errors.Is(gerr, ErrNotFound) && errors.Is(werr, ErrNotFound) || (werr == nil) != (gerr == nil) {
			t.Fatalf("%s, assessment %d: Sheet %v, FillSheet %v", who.Email, id, werr, gerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s, assessment %d:\nFillSheet %+v\nSheet     %+v", who.Email, id, got, want)
		}
		if werr != nil {
			return
		}
		for _, items := range [][]string{nil, {"t-1"}, {"t-2"}, {"t-1", "t-2", "t-9"}} {
			var light *assessment.Sheet
			got, err := s.FillSheetFocused(ctx, who, id, func(sh *assessment.Sheet) ([]string, error) {
				light = focusedSheet(sh, nil)
				return items, nil
			})
			if err != nil {
				t.Fatalf("%s, assessment %d, focus %v: %v", who.Email, id, items, err)
			}
			if w := focusedSheet(want, nil); !reflect.DeepEqual(light, w) {
				t.Errorf("%s, assessment %d: the sheet focus sees\n got %+v\nwant %+v", who.Email, id, light, w)
			}
			if w := focusedSheet(want, items); !reflect.DeepEqual(got, w) {
				t.Errorf("%s, assessment %d, focus %v:\n got %+v\nwant %+v", who.Email, id, items, got, w)
			}
		}
		stop := errors.New("stop")
		if _, err := s.FillSheetFocused(ctx, who, id, func(*assessment.Sheet) ([]string, error) { return nil, stop }); !errors.Is(err, stop) {
			t.Errorf("%s, assessment %d: the focus's error came back as %v", who.Email, id, err)
		}
	}
	for _, a := range []uint{id, plain, 9999} {
		for _, who := range []*User{u, admin, auditor, other} {
			same(who, a)
		}
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Note: "已核查"}, {ItemID: "t-2", Value: scoring.Partial}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePlan(ctx, u, id, "t-2", PlanInput{Measure: "补充告知", Owner: "张三", Due: "2021-03-01", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	e1, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-1", Name: "截图.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 x")})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b.pdf", "c.pdf"} {
		if _, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-2", Name: n, Kind: "pdf", Data: []byte("%PDF-1.4 " + n)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RemoveEvidence(ctx, u, id, e1.ID); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*User{u, admin, auditor, other} {
		same(who, id)
	}
	if err := s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*User{u, admin, auditor, other} {
		same(who, id)
	}
}

// TestSessionUserMatchesModel: the one-query session lookup returns the user
// as GORM loads it, with the firm for firm members and none for others, and
// nobody for a disabled user.
func TestSessionUserMatchesModel(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	member := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	for _, who := range []*User{member, admin} {
		token, err := s.CreateSession(ctx, who.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionUser(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		var want User
		if err := s.db.Joins("Firm").First(&want, "users.id = ?", who.ID).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s:\ngot  %+v %+v\nwant %+v %+v", who.Email, got, got.Firm, want, want.Firm)
		}
		if err := s.db.Model(&User{}).Where("id = ?", who.ID).Update("disabled_at", time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionUser(ctx, token); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s disabled: %v", who.Email, err)
		}
	}
}

// focusedSheet is what FillSheetFocused returns of the whole sheet sh when
// its focus names items: theirs whole, every other answer its value and
// marks only, every other plan the zero Plan.
func focusedSheet(sh *assessment.Sheet, items []string) *assessment.Sheet {
	out := *sh
	out.Answers, out.Plans = map[string]assessment.Answer{}, map[string]assessment.Plan{}
	for id, a := range sh.Answers {
		if !slices.Contains(items, id) {
			a = assessment.Answer{Value: a.Value, Carried: a.Carried, Confirmed: a.Confirmed}
		}
		out.Answers[id] = a
	}
	for id, p := range sh.Plans {
		if !slices.Contains(items, id) {
			p = assessment.Plan{}
		}
		out.Plans[id] = p
	}
	return &out
}
