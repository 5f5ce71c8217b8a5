package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/uscc"
)

// dashTheme is a theme of the dashboard fixture: item ids with weights.
type dashTheme struct {
	id    string
	items []checklist.Item
}

var dashThemes = []dashTheme{
	{"a", []checklist.Item{
		{ID: "a-1", Text: checklist.Text{ZH: "甲一", EN: "A one"}, Weight: 2, Severity: checklist.High},
		{ID: "a-2", Text: checklist.Text{ZH: "甲二", EN: "A two"}, Weight: 1, Severity: checklist.Critical},
		{ID: "a-3", Text: checklist.Text{ZH: "甲三", EN: "A three"}, Weight: 1, Severity: checklist.Medium},
	}},
	{"b", []checklist.Item{
		{ID: "b-1", Text: checklist.Text{ZH: "乙一", EN: "B one"}, Weight: 1, Severity: checklist.High},
		{ID: "b-2", Text: checklist.Text{ZH: "乙二", EN: "B two"}, Weight: 3, Severity: checklist.Medium},
	}},
}

func dashChecklists() []*checklist.Checklist {
	var out []*checklist.Checklist
	for _, t := range dashThemes {
		out = append(out, &checklist.Checklist{ID: t.id, Version: "1", Title: checklist.Text{ZH: "主题" + t.id, EN: "Theme " + t.id},
			Sections: []checklist.Section{{ID: "s", Title: checklist.Text{ZH: "节"}, Items: t.items}}})
	}
	return out
}

// dashFirm is one firm of the fixture: its answers and plans (due, status)
// per item, and whether it submits.
type dashFirm struct {
	name    string
	answers map[string]scoring.Answer
	plans   map[string][2]string
	submit  bool
}

var dashFirms = []dashFirm{
	{name: "一号公司", submit: true,
		answers: map[string]scoring.Answer{"a-1": scoring.Compliant, "a-2": scoring.Compliant, "a-3": scoring.NonCompliant, "b-1": scoring.Compliant, "b-2": scoring.Partial},
		plans:   map[string][2]string{"a-3": {"2021-01-10", "open"}, "b-2": {"2031-01-01", "open"}}},
	{name: "二号公司", submit: true,
		answers: map[string]scoring.Answer{"a-1": scoring.NonCompliant, "a-2": scoring.NonCompliant, "a-3": scoring.NonCompliant, "b-1": scoring.NotApplicable, "b-2": scoring.Compliant},
		plans:   map[string][2]string{"a-1": {"2021-03-01", "in_progress"}, "a-2": {"2021-02-01", "done"}, "a-3": {"2021-05-01", "open"}}},
	{name: "三号公司", submit: true,
		answers: map[string]scoring.Answer{"a-1": scoring.Partial, "a-2": scoring.Compliant, "a-3": scoring.Compliant, "b-1": scoring.NotApplicable, "b-2": scoring.NotApplicable},
		plans:   map[string][2]string{"a-1": {"2022-01-01", "open"}}},
	{name: "四号公司", submit: true, // nothing applies: no score, no grade
		answers: map[string]scoring.Answer{"a-1": scoring.NotApplicable, "a-2": scoring.NotApplicable, "a-3": scoring.NotApplicable, "b-1": scoring.NotApplicable, "b-2": scoring.NotApplicable}},
	{name: "草稿公司", submit: false, // a draft full of gaps: counted as a draft, nowhere else
		answers: map[string]scoring.Answer{"a-1": scoring.NonCompliant, "a-2": scoring.NonCompliant, "a-3": scoring.NonCompliant, "b-1": scoring.NonCompliant, "b-2": scoring.NonCompliant},
		plans:   map[string][2]string{"a-1": {"2020-01-01", "open"}, "a-2": {"2020-01-01", "open"}, "a-3": {"2020-01-01", "open"}, "b-1": {"2020-01-01", "open"}, "b-2": {"2020-01-01", "open"}}},
	{name: "未开始公司"}, // takes part, never starts
}

const dashToday = "2021-06-01"

// dashFixture is the seeded campaign.
type dashFixture struct {
	s                     *Store
	campaign              uint
	admin, auditor, other *User
	members               []*User // one per firm of dashFirms
	ids                   []uint  // assessment per firm, 0 when not started
}

func creditCode(t *testing.T, i int) string {
	t.Helper()
	first := fmt.Sprintf("91350100MA%07d", i)
	c, err := uscc.CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// seedDashboard builds the campaign through the store's own workflow:
// firms start, answer, plan, attach evidence and submit; the auditor
// approves one.
func seedDashboard(t *testing.T) *dashFixture {
	t.Helper()
	s, _ := newTestStore(t)
	ctx := context.Background()
	if err := s.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	fx := &dashFixture{s: s}
	fx.admin, _ = s.Authenticate(ctx, "admin@demo.local", DemoPassword)
	fx.auditor, _ = s.Authenticate(ctx, "auditor@demo.local", DemoPassword)
	var err error
	fx.other, err = s.CreateUser(ctx, NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: "password1", Role: auth.Auditor})
	if err != nil {
		t.Fatal(err)
	}
	var firmIDs []uint
	for i, f := range dashFirms {
		firm, err := s.CreateFirm(ctx, f.name, creditCode(t, i+1))
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, NewUser{Email: fmt.Sprintf("member%d@x.cn", i), Name: "成员", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID})
		if err != nil {
			t.Fatal(err)
		}
		fx.members = append(fx.members, u)
		firmIDs = append(firmIDs, firm.ID)
	}
	fx.campaign, err = s.CreateCampaign(ctx, fx.admin, NewCampaign{NameZH: "看板测试", NameEN: "Dashboard test", Themes: []string{"a", "b"},
		StartsOn: "2021-01-01", Deadline: "2021-12-31", FirmIDs: firmIDs, AuditorIDs: []uint{fx.auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range dashFirms {
		if f.answers == nil {
			fx.ids = append(fx.ids, 0)
			continue
		}
		u := fx.members[i]
		id, err := s.CreateAssessment(ctx, u, dashChecklists(), nil, &fx.campaign)
		if err != nil {
			t.Fatal(err)
		}
		fx.ids = append(fx.ids, id)
		var in []AnswerInput
		for item, v := range f.answers {
			in = append(in, AnswerInput{ItemID: item, Value: v, Note: "说明 " + item})
		}
		if _, err := s.SaveAnswers(ctx, u, id, in); err != nil {
			t.Fatal(err)
		}
		for item, p := range f.plans {
			if _, err := s.SavePlan(ctx, u, id, item, PlanInput{Measure: "整改 " + item, Owner: "张三", Due: p[0], Status: assessment.PlanStatus(p[1])}); err != nil {
				t.Fatal(err)
			}
		}
		if f.submit {
			if _, err := s.AddEvidence(ctx, u, id, NewEvidence{ItemID: "a-1", Name: "截图.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + f.name)}); err != nil {
				t.Fatal(err)
			}
			if err := s.Submit(ctx, u, id); err != nil {
				t.Fatalf("submit %s: %v", f.name, err)
			}
		}
	}
	// The third firm is approved: its results stay those it submitted.
	if err := s.Review(ctx, fx.auditor, fx.ids[2], Decision{Action: assessment.Approve}); err != nil {
		t.Fatal(err)
	}
	return fx
}

// expectedScores scores a firm's answers with the formula of the README,
// independently of app/scoring: per theme and overall; nil when nothing counts.
func expectedScores(f dashFirm) (themes []*float64, overall *float64) {
	points := map[scoring.Answer]float64{scoring.Compliant: 1, scoring.Partial: 0.5, scoring.NonCompliant: 0}
	var sumW, sumP float64
	for _, t := range dashThemes {
		var w, p float64
		for _, it := range t.items {
			pt, counts := points[f.answers[it.ID]]
			if !counts {
				continue
			}
			w += float64(it.Weight)
			p += float64(it.Weight) * pt
		}
		if w == 0 {
			themes = append(themes, nil)
			continue
		}
		v := p / w * 100
		themes = append(themes, &v)
		sumW += w
		sumP += p
	}
	if sumW > 0 {
		v := sumP / sumW * 100
		overall = &v
	}
	return themes, overall
}

func near(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }

func TestCampaignDashboard(t *testing.T) {
	fx := seedDashboard(t)
	ctx := context.Background()
	d, err := fx.s.CampaignDashboard(ctx, fx.auditor, fx.campaign, DashboardOptions{Today: dashToday, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if d.Campaign.Name.EN != "Dashboard test" || strings.Join(d.Campaign.Themes, ",") != "a,b" {
		t.Errorf("campaign: %+v", d.Campaign)
	}
	if d.Firms != 6 || d.NotStarted != 1 || d.Submitted != 4 {
		t.Errorf("firms=%d not started=%d submitted=%d, want 6 1 4", d.Firms, d.NotStarted, d.Submitted)
	}
	states := map[assessment.State]int{}
	for _, sc := range d.States {
		states[sc.State] = sc.Count
	}
	if len(d.States) != len(assessment.States) || states[assessment.Draft] != 1 || states[assessment.Submitted] != 3 || states[assessment.Approved] != 1 {
		t.Errorf("states: %+v", d.States)
	}

	// Everything else is computed here from the answers of the submitted firms.
	submitted := dashFirms[:4]
	wantGrades := map[scoring.Grade]int{}
	wantSum := make([]float64, len(dashThemes))
	wantScored := make([]int, len(dashThemes))
	type heat struct {
		name    string
		overall *float64
		themes  []*float64
	}
	var wantHeat []heat
	for _, f := range submitted {
		themes, overall := expectedScores(f)
		g := scoring.NoGrade
		if overall != nil {
			g = scoring.GradeFor(*overall)
			if f.answers["a-2"] == scoring.NonCompliant { // a-2 is critical
				g = scoring.Fail
			}
		}
		wantGrades[g]++
		for i, v := range themes {
			if v != nil {
				wantSum[i] += *v
				wantScored[i]++
			}
		}
		wantHeat = append(wantHeat, heat{f.name, overall, themes})
	}
	for _, gc := range d.Grades {
		if gc.Count != wantGrades[gc.Grade] {
			t.Errorf("grade %q: %d, want %d", gc.Grade, gc.Count, wantGrades[gc.Grade])
		}
	}
	if len(d.Grades) != 5 {
		t.Errorf("grades: %+v", d.Grades)
	}
	if len(d.Themes) != 2 {
		t.Fatalf("themes: %+v", d.Themes)
	}
	for i, ts := range d.Themes {
		want := wantSum[i] / float64(wantScored[i])
		if ts.ChecklistID != dashThemes[i].id || !near(ts.Average, want) || ts.Scored != wantScored[i] || ts.Assessments != 4 {
			t.Errorf("theme %d: %+v (average %v), want average %v over %d of 4", i, ts, *ts.Average, want, wantScored[i])
		}
	}

	// a-3 is non-compliant in two firms; a-1 and a-2 in one each (a-1 also
	// partial in one); the draft's gaps count nowhere.
	if len(d.TopItems) != 3 || d.TopItems[0] != (ItemStat{ItemID: "a-3", NonCompliant: 2}) ||
		d.TopItems[1] != (ItemStat{ItemID: "a-1", NonCompliant: 1, Partial: 1}) || d.TopItems[2] != (ItemStat{ItemID: "a-2", NonCompliant: 1}) {
		t.Errorf("top items: %+v", d.TopItems)
	}
	// Every item with a gap, by id, partial-only ones included: what the
	// page totals by standard clause.
	if !reflect.DeepEqual(d.ItemGaps, []ItemStat{{ItemID: "a-1", NonCompliant: 1, Partial: 1}, {ItemID: "a-2", NonCompliant: 1}, {ItemID: "a-3", NonCompliant: 2}, {ItemID: "b-2", Partial: 1}}) {
		t.Errorf("item gaps: %+v", d.ItemGaps)
	}

	// Overdue on 2021-06-01: not done, due before today, in submitted
	// assessments (the draft's past-due plans do not count).
	if d.Overdue.Count != 3 || len(d.Overdue.First) != 3 {
		t.Fatalf("overdue: %+v", d.Overdue)
	}
	for i, want := range []OverduePlan{
		{AssessmentID: fx.ids[0], FirmName: "一号公司", ChecklistID: "a", ItemID: "a-3", Due: "2021-01-10"},
		{AssessmentID: fx.ids[1], FirmName: "二号公司", ChecklistID: "a", ItemID: "a-1", Due: "2021-03-01"},
		{AssessmentID: fx.ids[1], FirmName: "二号公司", ChecklistID: "a", ItemID: "a-3", Due: "2021-05-01"},
	} {
		if d.Overdue.First[i] != want {
			t.Errorf("overdue %d: %+v, want %+v", i, d.Overdue.First[i], want)
		}
	}

	// The heat map: lowest score first, the unscored firm last, two a page.
	if d.Heat.Total != 4 || d.Heat.Pages() != 2 || d.Heat.Page != 1 {
		t.Errorf("heat page: %+v", d.Heat)
	}
	second, err := fx.s.CampaignDashboard(ctx, fx.admin, fx.campaign, DashboardOptions{Today: dashToday, PageSize: 2, Page: 2})
	if err != nil {
		t.Fatal(err)
	}
	rows := append(append([]HeatRow{}, d.Heat.Rows...), second.Heat.Rows...)
	order := []int{1, 0, 2, 3} // 二号 42.9, 一号 68.75, 三号 75, 四号 no score
	if len(rows) != 4 {
		t.Fatalf("heat rows: %+v", rows)
	}
	for i, r := range rows {
		w := wantHeat[order[i]]
		if r.FirmName != w.name || r.AssessmentID != fx.ids[order[i]] {
			t.Errorf("heat row %d: %s, want %s", i, r.FirmName, w.name)
			continue
		}
		if (w.overall == nil) != (r.Score == nil) || w.overall != nil && !near(r.Score, *w.overall) {
			t.Errorf("%s overall %v, want %v", r.FirmName, r.Score, w.overall)
		}
		for j := range w.themes {
			if (w.themes[j] == nil) != (r.Themes[j] == nil) || w.themes[j] != nil && !near(r.Themes[j], *w.themes[j]) {
				t.Errorf("%s theme %d: %v, want %v", r.FirmName, j, r.Themes[j], w.themes[j])
			}
		}
	}
	if rows[3].Grade != scoring.NoGrade || rows[0].Grade != scoring.Fail || rows[2].State != assessment.Approved {
		t.Errorf("heat grades/states: %+v", rows)
	}
	// A page past the end shows the last one.
	if late, _ := fx.s.CampaignDashboard(ctx, fx.admin, fx.campaign, DashboardOptions{Today: dashToday, PageSize: 2, Page: 9}); late.Heat.Page != 2 || len(late.Heat.Rows) != 2 {
		t.Errorf("page 9: %+v", late.Heat)
	}
}

// Only the campaign's auditors and admins see its dashboard and results;
// anyone else is told it does not exist.
func TestCampaignDashboardAccess(t *testing.T) {
	fx := seedDashboard(t)
	ctx := context.Background()
	none := func(ResultRow) error { t.Error("a row reached a caller without access"); return nil }
	for _, tt := range []struct {
		name string
		who  *User
		ok   bool
	}{
		{"assigned auditor", fx.auditor, true},
		{"admin", fx.admin, true},
		{"auditor of another campaign", fx.other, false},
		{"firm member taking part", fx.members[0], false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fx.s.CampaignDashboard(ctx, tt.who, fx.campaign, DashboardOptions{Today: dashToday})
			if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, ErrNotFound) {
				t.Errorf("dashboard: %v", err)
			}
			if tt.ok {
				return
			}
			if err := fx.s.CampaignResults(ctx, tt.who, fx.campaign, none); !errors.Is(err, ErrNotFound) {
				t.Errorf("results: %v", err)
			}
		})
	}
	if _, err := fx.s.CampaignDashboard(ctx, fx.admin, fx.campaign+100, DashboardOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown campaign: %v", err)
	}
}

// The results hold one row per submitted firm × item, items in checklist
// order, with the plan and evidence of each; the draft is left out.
func TestCampaignResults(t *testing.T) {
	fx := seedDashboard(t)
	var rows []ResultRow
	err := fx.s.CampaignResults(context.Background(), fx.auditor, fx.campaign, func(r ResultRow) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4*5 {
		t.Fatalf("%d rows, want 20", len(rows))
	}
	var got []string
	for _, r := range rows[:5] {
		got = append(got, r.ChecklistID+"/"+r.ItemID)
	}
	if strings.Join(got, " ") != "a/a-1 a/a-2 a/a-3 b/b-1 b/b-2" {
		t.Errorf("order: %v", got)
	}
	first := rows[2] // 一号公司, a-3
	if first.FirmName != "一号公司" || first.CreditCode != creditCode(t, 1) || first.State != assessment.Submitted || first.AssessmentID != fx.ids[0] ||
		first.Answer != scoring.NonCompliant || first.Note != "说明 a-3" || first.ThemeTitle.EN != "Theme a" ||
		first.Plan.Measure != "整改 a-3" || first.Plan.Owner != "张三" || first.Plan.Due != "2021-01-10" || first.Plan.Status != assessment.PlanOpen {
		t.Errorf("row: %+v", first)
	}
	if rows[0].Evidence != 1 || rows[1].Evidence != 0 {
		t.Errorf("evidence counts: %d %d", rows[0].Evidence, rows[1].Evidence)
	}
	for _, r := range rows {
		if r.FirmName == "草稿公司" {
			t.Fatal("the draft is in the results")
		}
	}
	stop := errors.New("stop")
	n := 0
	err = fx.s.CampaignResults(context.Background(), fx.admin, fx.campaign, func(ResultRow) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: %v after %d rows", err, n)
	}
}

// sqlRecorder keeps the statements a query runs.
type sqlRecorder struct {
	logger.Interface
	sql []string
}

func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	r.sql = append(r.sql, sql)
}

// Every dashboard query reads an index range: SQLite's plan never scans a
// whole table or index; PostgreSQL's, asked whether an index can serve each
// query (pgPlan), has no sequential scan.
func TestDashboardQueriesUseIndexes(t *testing.T) {
	fx := seedDashboard(t)
	rec := &sqlRecorder{Interface: logger.Discard}
	traced := *fx.s
	traced.db = fx.s.db.Session(&gorm.Session{Logger: rec})
	if _, err := traced.CampaignDashboard(context.Background(), fx.auditor, fx.campaign, DashboardOptions{Today: dashToday, PageSize: 2, Page: 2}); err != nil {
		t.Fatal(err)
	}
	// 8 to 12 for the figures from the rollups, 1 for the gaps by standard
	// clause, 1 or 2 for the lapsing evidence, 1 to 4 for the rectification
	// panel (dashboard_rectify.go).
	if len(rec.sql) < 11 || len(rec.sql) > 17 {
		t.Errorf("the dashboard ran %d queries", len(rec.sql))
	}
	for _, q := range rec.sql {
		var lines []string
		switch fx.s.Engine() {
		case "postgres":
			for _, n := range pgPlan(t, fx.s.db, q) {
				lines = append(lines, n.NodeType+" "+n.Relation+" "+n.IndexName)
				if n.NodeType == "Seq Scan" {
					t.Errorf("full scan in\n  %s\n  %s on %s", q, n.NodeType, n.Relation)
				}
			}
		default:
			var plan []struct {
				ID, Parent, Notused int
				Detail              string
			}
			if err := fx.s.db.Raw("EXPLAIN QUERY PLAN " + q).Scan(&plan).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			// A subquery's rows (a co-routine, bounded by its own LIMIT)
			// are read whole as they come: "SCAN g" of "CO-ROUTINE g".
			coroutines := map[string]bool{}
			for _, p := range plan {
				if name, ok := strings.CutPrefix(p.Detail, "CO-ROUTINE "); ok {
					coroutines["SCAN "+name] = true
				}
			}
			for _, p := range plan {
				lines = append(lines, p.Detail)
				// "SCAN t" reads a whole table; "SCAN t USING ... INDEX" a whole index.
				if strings.HasPrefix(p.Detail, "SCAN ") && !coroutines[p.Detail] {
					t.Errorf("full scan in\n  %s\n  %s", q, p.Detail)
				}
			}
		}
		t.Logf("%s\n    %s", q, strings.Join(lines, "\n    "))
	}
}
