package store

import (
	"context"
	"reflect"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// Each partial load of a sheet holds exactly the parts it declares: what
// the whole sheet's Only gives for them.
func TestSheetLoadsHoldTheirParts(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	cid, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "专项", NameEN: "Campaign", Themes: []string{"t"},
		StartsOn: "2021-07-01", Deadline: "2021-12-31", FirmIDs: []uint{*u.FirmID}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &cid)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Note: "已核查"}, {ItemID: "t-2", Value: scoring.Partial}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePlan(ctx, u, id, "t-2", PlanInput{Measure: "补充告知", Owner: "张三", Due: "2021-03-01", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-1", Name: "截图.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 x")}); err != nil {
		t.Fatal(err)
	}
	whole, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Parts != assessment.WholeSheet || len(whole.Plans) == 0 || len(whole.Evidence) == 0 || whole.Campaign == nil {
		t.Fatalf("the whole sheet is not whole: %+v", whole)
	}
	for _, c := range []struct {
		name  string
		load  func(context.Context, *User, uint) (*assessment.Sheet, error)
		parts assessment.Parts
	}{
		{"AnswerSheet", s.AnswerSheet, assessment.AnswerParts},
		{"ProgressSheet", s.ProgressSheet, assessment.ProgressParts},
		{"FillSheet", s.FillSheet, assessment.WholeSheet},
	} {
		got, err := c.load(ctx, u, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Parts != c.parts {
			t.Errorf("%s: parts %b, want %b", c.name, got.Parts, c.parts)
		}
		if want := whole.Only(c.parts); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, want)
		}
	}
}
