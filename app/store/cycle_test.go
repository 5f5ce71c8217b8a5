package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// cycleChecklistV2 is testChecklist one version on: t-1's text reworded,
// t-3 added.
func cycleChecklistV2() *checklist.Checklist {
	cl := testChecklist()
	cl.Version = "2"
	items := cl.Sections[0].Items
	items[0].Text = checklist.Text{ZH: "第一项（修订）", EN: "Item one, revised"}
	cl.Sections[0].Items = append(items, checklist.Item{ID: "t-3", Text: checklist.Text{ZH: "第三项"}, Weight: 1, Severity: checklist.Low})
	return cl
}

// A firm's assessment of a follow-up campaign starts from its approved
// assessment of the earlier one: answers, notes, evidence (the same blob)
// and open plans carried over, each answer to confirm; the checklist's
// new version marks t-1 changed and t-3 new; submit waits for every
// carried answer to be saved; the report compares with the earlier one.
func TestCarryOverToFollowUp(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	admin, _ := s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	auditor, _ := s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	otherFirm, err := s.CreateFirm(ctx, "别家", "91350100M000100Y43")
	if err != nil {
		t.Fatal(err)
	}
	ou, err := s.CreateUser(ctx, NewUser{Email: "o@x.cn", Name: "O", Password: "password1", Role: auth.FirmMember, FirmID: &otherFirm.ID})
	if err != nil {
		t.Fatal(err)
	}
	firms := []uint{*u.FirmID, otherFirm.ID}
	c1, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "2025 专项", Themes: []string{"t"}, StartsOn: "2025-01-01", Deadline: "2031-12-31",
		FirmIDs: firms, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	a1, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &c1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, a1, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Note: "弹窗已整改一半"},
		{ItemID: "t-2", Value: scoring.NonCompliant}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePlan(ctx, u, a1, "t-1", PlanInput{Measure: "改弹窗", Owner: "张三", Due: "2030-01-01", Status: assessment.PlanDone}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePlan(ctx, u, a1, "t-2", PlanInput{Measure: "补授权", Owner: "李四", Due: "2030-06-30", Status: assessment.PlanInProgress}); err != nil {
		t.Fatal(err)
	}
	ev, err := s.AddEvidence(ctx, u, a1, NewEvidence{ItemID: "t-1", Name: "截图.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 截图")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, a1); err != nil {
		t.Fatal(err)
	}
	if err := s.Review(ctx, auditor, a1, Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	// The other firm's draft of the same campaign: not submitted.
	draft, err := s.CreateAssessment(ctx, ou, []*checklist.Checklist{testChecklist()}, nil, &c1)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := s.FollowUpCampaign(ctx, u, c1, NewCampaign{NameZH: "x", Themes: []string{"t"}, StartsOn: "2026-01-01", Deadline: "2026-12-31"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a firm member created a follow-up: %v", err)
	}
	if _, err := s.FollowUpCampaign(ctx, admin, 9999, NewCampaign{NameZH: "x", Themes: []string{"t"}, StartsOn: "2026-01-01", Deadline: "2026-12-31"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a follow-up of no campaign: %v", err)
	}
	c2, err := s.FollowUpCampaign(ctx, admin, c1, NewCampaign{NameZH: "2026 专项（复查）", Themes: []string{"t"}, StartsOn: "2026-01-01", Deadline: "2031-12-31",
		FirmIDs: firms, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	c3, err := s.CreateCampaign(ctx, admin, NewCampaign{NameZH: "无关", Themes: []string{"t"}, StartsOn: "2026-01-01", Deadline: "2031-12-31", FirmIDs: firms})
	if err != nil {
		t.Fatal(err)
	}
	if src, st, err := s.CarrySource(ctx, u, c2); err != nil || src != a1 || st != assessment.Approved {
		t.Errorf("carry source: %d %s %v, want %d approved", src, st, err, a1)
	}
	if src, _, err := s.CarrySource(ctx, u, c3); err != nil || src != 0 {
		t.Errorf("carry source of a campaign that follows none: %d %v", src, err)
	}
	if src, _, err := s.CarrySource(ctx, ou, c2); err != nil || src != 0 {
		t.Errorf("carry source of a firm with only a draft: %d %v", src, err)
	}

	v2 := []*checklist.Checklist{cycleChecklistV2()}
	for _, bad := range []struct {
		name        string
		who         *User
		campaign    uint
		from        uint
		notFound    bool
		field, code string
	}{
		{"another firm's assessment", ou, c2, a1, true, "", ""},
		{"no such assessment", u, c2, 9999, true, "", ""},
		{"a campaign that follows none", u, c3, a1, false, "carry_from", assessment.CarryNoFollowUp},
		{"a draft", ou, c2, draft, false, "carry_from", assessment.CarryNotSubmitted},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := s.CreateAssessmentFrom(ctx, bad.who, v2, nil, &bad.campaign, bad.from)
			if bad.notFound && !errors.Is(err, ErrNotFound) || !bad.notFound && !isField(err, bad.field, bad.code) {
				t.Errorf("carry: %v", err)
			}
		})
	}
	// From an assessment of another campaign than the one followed.
	c4, err := s.FollowUpCampaign(ctx, admin, c3, NewCampaign{NameZH: "无关复查", Themes: []string{"t"}, StartsOn: "2026-01-01", Deadline: "2031-12-31", FirmIDs: firms})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAssessmentFrom(ctx, u, v2, nil, &c4, a1); !isField(err, "carry_from", assessment.CarryNotPrevious) {
		t.Errorf("carry from a campaign not followed: %v", err)
	}

	var blobsBefore int64
	s.db.Model(&Blob{}).Count(&blobsBefore)
	a2, err := s.CreateAssessmentFrom(ctx, u, v2, nil, &c2, a1)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := s.Sheet(ctx, u, a2)
	if err != nil {
		t.Fatal(err)
	}
	if sh.CarriedFrom != a1 {
		t.Errorf("carried from %d, want %d", sh.CarriedFrom, a1)
	}
	if a := sh.Answers["t-1"]; a.Value != scoring.Partial || a.Note != "弹窗已整改一半" || !a.ToConfirm() || a.Version != 1 {
		t.Errorf("t-1 carried: %+v", a)
	}
	if a := sh.Answers["t-2"]; a.Value != scoring.NonCompliant || !a.ToConfirm() {
		t.Errorf("t-2 carried: %+v", a)
	}
	if a, ok := sh.Answers["t-3"]; ok {
		t.Errorf("new item t-3 has an answer: %+v", a)
	}
	var blobsAfter int64
	s.db.Model(&Blob{}).Count(&blobsAfter)
	if files := sh.Evidence["t-1"]; len(files) != 1 || files[0].SHA256 != ev.SHA256 || files[0].Name != "截图.pdf" || files[0].ID == ev.ID || blobsAfter != blobsBefore {
		t.Errorf("evidence carried: %+v; blobs %d → %d", files, blobsBefore, blobsAfter)
	}
	// The copy belongs to the new campaign: its dashboard counts the file
	// if it is given a validity date and lapses.
	var copied Evidence
	if err := s.db.First(&copied, sh.Evidence["t-1"][0].ID).Error; err != nil || copied.CampaignID == nil || *copied.CampaignID != c2 {
		t.Errorf("carried evidence's campaign: %v %v, want %d", copied.CampaignID, err, c2)
	}
	if _, content, err := s.EvidenceFile(ctx, u, a2, sh.Evidence["t-1"][0].ID); err != nil || string(content) != "%PDF-1.4 截图" {
		t.Errorf("carried evidence downloads: %q %v", content, err)
	}
	if _, ok := sh.Plans["t-1"]; ok {
		t.Error("a done plan was carried over")
	}
	if p := sh.Plans["t-2"]; p.Measure != "补授权" || p.Status != assessment.PlanInProgress || p.Origin == nil || *p.Origin != (assessment.Origin{AssessmentID: a1, ItemID: "t-2"}) {
		t.Errorf("open plan carried: %+v", p)
	}
	fill, err := s.FillSheet(ctx, u, a2)
	if err != nil || !fill.Answers["t-1"].ToConfirm() || fill.Plans["t-2"].Origin == nil || fill.CarriedFrom != a1 || fill.Campaign.Follows != c1 {
		t.Errorf("fill sheet: %+v %+v %v", fill.Answers["t-1"], fill.Plans["t-2"], err)
	}

	// Each load of a carried sheet holds its parts, carried marks included.
	for name, load := range map[string]func(context.Context, *User, uint) (*assessment.Sheet, error){
		"AnswerSheet": s.AnswerSheet, "ProgressSheet": s.ProgressSheet, "FillSheet": s.FillSheet,
	} {
		got, err := load(ctx, u, a2)
		if err != nil {
			t.Fatal(err)
		}
		if want := sh.Only(got.Parts); !reflect.DeepEqual(got, want) {
			t.Errorf("%s of the carried sheet:\n got %+v\nwant %+v", name, got, want)
		}
	}

	rev, err := s.Revisions(ctx, u, a2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rev) != 2 || rev["t-1"].Mark != assessment.RevisionChanged || rev["t-1"].Old.Text.ZH != "第一项" || rev["t-3"].Mark != assessment.RevisionNew {
		t.Errorf("revisions: %+v", rev)
	}
	if _, err := s.Revisions(ctx, ou, a2); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm reads the revisions: %v", err)
	}
	if _, err := s.Sheet(ctx, ou, a2); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm reads the follow-up: %v", err)
	}

	// Submit lists each carried answer not confirmed.
	var inc *IncompleteError
	if err := s.Submit(ctx, u, a2); !errors.As(err, &inc) {
		t.Fatalf("submit with carried answers: %v", err)
	}
	reasons := map[string][]assessment.Block{}
	for _, b := range inc.Blockers {
		reasons[b.Item.ID] = b.Reasons
	}
	if !hasBlock(reasons["t-1"], assessment.BlockUnconfirmed) || !hasBlock(reasons["t-2"], assessment.BlockUnconfirmed) ||
		hasBlock(reasons["t-3"], assessment.BlockUnconfirmed) || !hasBlock(reasons["t-3"], assessment.BlockUnanswered) {
		t.Errorf("blockers: %v", reasons)
	}

	// Saving t-1 unchanged confirms it: a new version, in the history.
	v := 1
	saved, err := s.SaveAnswers(ctx, u, a2, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Note: "弹窗已整改一半", Version: &v}})
	if err != nil {
		t.Fatal(err)
	}
	if a := saved["t-1"]; a.Version != 2 || !a.Carried || !a.Confirmed {
		t.Errorf("confirmed by saving: %+v", a)
	}
	// Sent again, it changes nothing more.
	if saved, err := s.SaveAnswers(ctx, u, a2, []AnswerInput{{ItemID: "t-1", Value: scoring.Partial, Note: "弹窗已整改一半", Version: &v}}); err != nil || saved["t-1"].Version != 2 {
		t.Errorf("resend of a confirmation: %+v %v", saved["t-1"], err)
	}
	events, err := s.Timeline(ctx, u, a2)
	if err != nil {
		t.Fatal(err)
	}
	confirmations := 0
	for _, e := range events {
		if e.Field == "confirmed" && e.ItemID == "t-1" {
			confirmations++
		}
	}
	if confirmations != 1 {
		t.Errorf("confirmations in the history: %d, want 1", confirmations)
	}
	// Changing t-2 confirms it too; t-1 (partial) needs a plan again.
	if saved, err := s.SaveAnswers(ctx, u, a2, []AnswerInput{{ItemID: "t-2", Value: scoring.Compliant}, {ItemID: "t-3", Value: scoring.Compliant}}); err != nil ||
		!saved["t-2"].Confirmed || saved["t-3"].Carried {
		t.Fatalf("change a carried answer: %+v %v", saved, err)
	}
	if sh, _ := s.AnswerSheet(ctx, u, a2); sh.Answers["t-2"].ToConfirm() || !sh.Answers["t-2"].Confirmed {
		t.Errorf("answer sheet after change: %+v", sh.Answers["t-2"])
	}
	if _, err := s.SavePlan(ctx, u, a2, "t-1", PlanInput{Measure: "继续改弹窗", Owner: "张三", Due: "2031-01-01", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(ctx, u, a2); err != nil {
		t.Fatalf("submit once every carried answer is confirmed: %v", err)
	}
	b, err := s.Baseline(ctx, u, a2)
	if err != nil || b == nil || b.AssessmentID != a1 || b.Answers["t-2"] != scoring.NonCompliant {
		t.Errorf("baseline of the follow-up: %+v %v", b, err)
	}
	if b, err := s.Baseline(ctx, auditor, a2); err != nil || b == nil || b.AssessmentID != a1 {
		t.Errorf("auditor's baseline of the follow-up: %+v %v", b, err)
	}
	// Returned, it compares with itself as submitted: the history replayed
	// holds the carried answers, t-1's confirmed unchanged among them.
	if err := s.Review(ctx, auditor, a2, Decision{Action: assessment.RequestChanges, Comment: "请补充",
		Items: []ItemVerdict{{ItemID: "t-1", Verdict: NeedsChange, Comment: "再核实"}}}); err != nil {
		t.Fatal(err)
	}
	b, err = s.Baseline(ctx, u, a2)
	if err != nil || b == nil || !b.Resubmission || b.Answers["t-1"] != scoring.Partial || b.Answers["t-2"] != scoring.Compliant || b.Answers["t-3"] != scoring.Compliant {
		t.Errorf("baseline of the returned follow-up: %+v %v", b, err)
	}
}

func hasBlock(bs []assessment.Block, b assessment.Block) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}
