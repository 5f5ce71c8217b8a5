package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/uscc"
)

// firmCode returns a valid credit code for test firm n.
func firmCode(t testing.TB, n int) string {
	t.Helper()
	first := fmt.Sprintf("91110108MA%07d", n)
	c, err := uscc.CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// queueFixture is a campaign with an assigned auditor, an unassigned one,
// and firms that answered the test checklist in different ways.
type queueFixture struct {
	s                *Store
	admin, auditor   *User
	stranger         *User // an auditor of no campaign
	campaign         uint
	members          map[string]*User // firm name -> member
	ids              map[string]uint  // firm name -> assessment
	otherCampaignIDs []uint
}

// submitFirm creates a firm with a member, starts the campaign and submits
// the given answers (gaps get a plan), unless submit is false.
func (f *queueFixture) submitFirm(t *testing.T, n int, name string, answers map[string]scoring.Answer, campaign uint, submit bool) uint {
	t.Helper()
	ctx := context.Background()
	firm, err := f.s.CreateFirm(ctx, name, firmCode(t, n))
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.s.CreateUser(ctx, NewUser{Email: fmt.Sprintf("m%d@firm.cn", n), Name: name + "员工", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.db.Exec("INSERT INTO campaign_firms (campaign_id, firm_id) VALUES (?, ?)", campaign, firm.ID).Error; err != nil {
		t.Fatal(err)
	}
	id, err := f.s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, &campaign)
	if err != nil {
		t.Fatal(err)
	}
	var in []AnswerInput
	for item, v := range answers {
		in = append(in, AnswerInput{ItemID: item, Value: v})
		if v.IsGap() {
			if _, err := f.s.SavePlan(ctx, u, id, item, PlanInput{Measure: "整改", Owner: "张三", Due: "2021-10-01", Status: assessment.PlanOpen}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.s.SaveAnswers(ctx, u, id, in); err != nil {
		t.Fatal(err)
	}
	if submit {
		if err := f.s.Submit(ctx, u, id); err != nil {
			t.Fatal(err)
		}
	}
	f.members[name], f.ids[name] = u, id
	return id
}

func newQueueFixture(t *testing.T) *queueFixture {
	s, _ := newTestStore(t)
	ctx := context.Background()
	demoMember(t, s)
	f := &queueFixture{s: s, members: map[string]*User{}, ids: map[string]uint{}}
	f.admin, _ = s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	f.auditor, _ = s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	var err error
	if f.stranger, err = s.CreateUser(ctx, NewUser{Email: "stranger@audit.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	if f.campaign, err = s.CreateCampaign(ctx, f.admin, NewCampaign{NameZH: "专项整治", NameEN: "Campaign", Themes: []string{"t"},
		StartsOn: "2021-07-01", Deadline: "2031-12-31", AuditorIDs: []uint{f.auditor.ID}}); err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateCampaign(ctx, f.admin, NewCampaign{NameZH: "另一个", Themes: []string{"t"}, StartsOn: "2021-07-01", Deadline: "2031-12-31",
		AuditorIDs: []uint{f.stranger.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.otherCampaignIDs = []uint{other}
	C, P, N := scoring.Compliant, scoring.Partial, scoring.NonCompliant
	// t-1 weighs 2, t-2 (critical) 1.
	f.submitFirm(t, 1, "甲公司", map[string]scoring.Answer{"t-1": C, "t-2": C}, f.campaign, true) // 100, excellent
	f.submitFirm(t, 2, "乙公司", map[string]scoring.Answer{"t-1": P, "t-2": C}, f.campaign, true) // 66.7, pass
	f.submitFirm(t, 3, "丙公司", map[string]scoring.Answer{"t-1": C, "t-2": N}, f.campaign, true) // 66.7, fail (critical)
	f.submitFirm(t, 4, "丁公司_draft", map[string]scoring.Answer{"t-1": C}, f.campaign, false)
	f.submitFirm(t, 5, "戊公司", map[string]scoring.Answer{"t-1": N, "t-2": N}, other, true)
	return f
}

func queueFirms(q Queue) []string {
	var out []string
	for _, r := range q.Rows {
		out = append(out, r.FirmName)
	}
	return out
}

func TestReviewQueue(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		actor  *User
		filter QueueFilter
		want   []string
	}{
		{"auditor sees the campaigns assigned, longest waiting first", f.auditor, QueueFilter{}, []string{"甲公司", "乙公司", "丙公司"}},
		{"another campaign's auditor sees only that one", f.stranger, QueueFilter{}, []string{"戊公司"}},
		{"admin sees every submission", f.admin, QueueFilter{Sort: SortFirm}, []string{"丙公司", "乙公司", "戊公司", "甲公司"}},
		{"filter by grade", f.auditor, QueueFilter{Grade: scoring.Fail}, []string{"丙公司"}},
		{"filter by theme with gaps", f.auditor, QueueFilter{Theme: "t"}, []string{"乙公司", "丙公司"}},
		{"theme without gaps", f.auditor, QueueFilter{Theme: "nope"}, nil},
		{"firm name search", f.admin, QueueFilter{Firm: "乙"}, []string{"乙公司"}},
		{"LIKE wildcards match literally", f.admin, QueueFilter{Firm: "_"}, nil},
		{"campaign filter", f.admin, QueueFilter{CampaignID: f.otherCampaignIDs[0]}, []string{"戊公司"}},
		{"an unassigned campaign yields nothing", f.auditor, QueueFilter{CampaignID: f.otherCampaignIDs[0]}, nil},
		{"sort by score, lowest first", f.auditor, QueueFilter{Sort: SortScore}, []string{"乙公司", "丙公司", "甲公司"}},
		{"sort by score, highest first", f.auditor, QueueFilter{Sort: SortScore, Desc: true}, []string{"甲公司", "乙公司", "丙公司"}},
		{"critical gaps first", f.auditor, QueueFilter{Sort: SortCritical}, []string{"丙公司", "乙公司", "甲公司"}},
		{"state filter", f.auditor, QueueFilter{State: assessment.Resubmitted}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := f.s.ReviewQueue(ctx, tt.actor, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			got := queueFirms(q)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || q.Total != int64(len(tt.want)) {
				t.Errorf("got %v (total %d), want %v", got, q.Total, tt.want)
			}
		})
	}
	q, _ := f.s.ReviewQueue(ctx, f.auditor, QueueFilter{Sort: SortFirm})
	byName := map[string]QueueRow{}
	for _, r := range q.Rows {
		byName[r.FirmName] = r
	}
	b := byName["乙公司"]
	if b.Score == nil || math.Abs(*b.Score-200.0/3) > 0.01 || b.Grade != scoring.Pass || b.Gaps != 1 || b.CriticalGaps != 0 || b.Campaign.ZH != "专项整治" {
		t.Errorf("乙公司 row: %+v", b)
	}
	if c := byName["丙公司"]; c.Grade != scoring.Fail || c.CriticalGaps != 1 {
		t.Errorf("丙公司 row: %+v", c)
	}
	if _, err := f.s.ReviewQueue(ctx, f.members["甲公司"], QueueFilter{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a firm member got a review queue: %v", err)
	}
	for _, bad := range []QueueFilter{{Sort: "price"}, {State: assessment.Approved}} {
		if _, err := f.s.ReviewQueue(ctx, f.auditor, bad); !errors.Is(err, ErrBadFilter) {
			t.Errorf("filter %+v: %v", bad, err)
		}
	}
	// A decision takes the assessment out of the queue.
	if err := f.s.Review(ctx, f.auditor, f.ids["甲公司"], Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	if q, _ := f.s.ReviewQueue(ctx, f.auditor, QueueFilter{}); fmt.Sprint(queueFirms(q)) != "[乙公司 丙公司]" {
		t.Errorf("after approving 甲公司: %v", queueFirms(q))
	}
}

func TestReviewQueuePages(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	for i := 0; i < QueuePageSize+3; i++ {
		f.submitFirm(t, 100+i, fmt.Sprintf("批量公司%03d", i), map[string]scoring.Answer{"t-1": scoring.Compliant, "t-2": scoring.Compliant}, f.campaign, true)
	}
	seen := map[uint]bool{}
	for page := 1; page <= 2; page++ {
		q, err := f.s.ReviewQueue(ctx, f.auditor, QueueFilter{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if q.Total != QueuePageSize+6 || q.Pages != 2 {
			t.Fatalf("page %d: total %d pages %d", page, q.Total, q.Pages)
		}
		for _, r := range q.Rows {
			if seen[r.ID] {
				t.Errorf("assessment %d on two pages", r.ID)
			}
			seen[r.ID] = true
		}
	}
	if len(seen) != QueuePageSize+6 {
		t.Errorf("pages hold %d submissions, want %d", len(seen), QueuePageSize+6)
	}
}

// After a return, the diff shows each field's value at the return and now,
// evidence added and removed, and nothing for a change undone.
func TestChangesSinceReturn(t *testing.T) {
	f := newQueueFixture(t)
	ctx := context.Background()
	id, u := f.ids["乙公司"], f.members["乙公司"]
	if d, err := f.s.ChangesSinceReturn(ctx, f.auditor, id); err != nil || len(d.Items) != 0 || !d.Since.IsZero() {
		t.Fatalf("before any return: %+v %v", d, err)
	}
	// Changes made before the return do not count.
	err := f.s.Review(ctx, f.auditor, id, Decision{Action: assessment.RequestChanges, Comment: "请整改",
		Items: []ItemVerdict{{ItemID: "t-1", Verdict: NeedsChange, Comment: "部分合规需说明"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-1", Value: scoring.Compliant, Note: "已整改"}}); err != nil {
		t.Fatal(err)
	}
	// t-2: changed and changed back, so no change.
	for _, v := range []scoring.Answer{scoring.Partial, scoring.Compliant} {
		if _, err := f.s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "t-2", Value: v}}); err != nil {
			t.Fatal(err)
		}
	}
	png := []byte("\x89PNG\r\n\x1a\n" + string(make([]byte, 64)))
	if _, err := f.s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-1", Name: "popup.png", Kind: "png", Data: png}); err != nil {
		t.Fatal(err)
	}
	gone, err := f.s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "t-2", Name: "tmp.png", Kind: "png", Data: png})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.RemoveEvidence(ctx, u, id, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.Submit(ctx, u, id); err != nil {
		t.Fatal(err)
	}
	d, err := f.s.ChangesSinceReturn(ctx, f.auditor, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Items["t-2"]; ok {
		t.Errorf("t-2 changed back but shows a diff: %+v", d.Items["t-2"])
	}
	got := d.Items["t-1"]
	want := []FieldDiff{{"answer", "partial", "compliant"}, {"note", "", "已整改"}}
	if fmt.Sprint(got.Fields) != fmt.Sprint(want) || len(got.EvidenceAdded) != 1 || len(got.EvidenceRemoved) != 0 {
		t.Errorf("t-1 diff: %+v, want fields %v and one file added", got, want)
	}
	if _, err := f.s.ChangesSinceReturn(ctx, f.stranger, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("another campaign's auditor reads the diff: %v", err)
	}
}
