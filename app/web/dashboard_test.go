package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/uscc"
)

// dashboardCampaign seeds a campaign on two built-in themes with three
// firms that submit (the demo firm and two more) through the store, and
// returns its id and the first popups item, which two firms answer
// non-compliant. The second firm's note on it starts with "=".
func dashboardCampaign(t *testing.T, a *testApp) (uint, checklist.Item) {
	t.Helper()
	ctx := context.Background()
	admin, _ := a.store.Authenticate(ctx, "admin@demo.local", store.DemoPassword)
	auditor, _ := a.store.Authenticate(ctx, "auditor@demo.local", store.DemoPassword)
	demo, _ := a.store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	members := []*store.User{demo}
	firms := []uint{*demo.FirmID}
	for i, name := range []string{"乙公司", "丙公司"} {
		first := fmt.Sprintf("91110000MA%07d", i+1)
		check, _ := uscc.CheckChar(first)
		f, err := a.store.CreateFirm(ctx, name, first+string(check))
		if err != nil {
			t.Fatal(err)
		}
		u, err := a.store.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("m%d@dash.local", i), Name: "成员", Password: store.DemoPassword, Role: auth.FirmMember, FirmID: &f.ID})
		if err != nil {
			t.Fatal(err)
		}
		members, firms = append(members, u), append(firms, f.ID)
	}
	themes := []string{"popups", "deceiving"}
	cid, err := a.store.CreateCampaign(ctx, admin, store.NewCampaign{NameZH: "看板专项", NameEN: "Dashboard campaign", Themes: themes,
		StartsOn: "2021-01-01", Deadline: "2031-12-31", FirmIDs: firms, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	var lists []*checklist.Checklist
	for _, id := range themes {
		cl, _ := a.catalog.Get(id)
		lists = append(lists, cl)
	}
	var all []checklist.Tag
	for _, ti := range checklist.Tags {
		all = append(all, ti.Tag)
	}
	target := lists[0].Items()[0]
	second := lists[0].Items()[1]
	for i, u := range members {
		id, err := a.store.CreateAssessment(ctx, u, lists, checklist.NewProfile(all...), &cid)
		if err != nil {
			t.Fatal(err)
		}
		var in []store.AnswerInput
		for _, cl := range lists {
			for _, it := range cl.Items() {
				v, note := scoring.Compliant, ""
				switch {
				case i > 0 && it.ID == target.ID:
					v, note = scoring.NonCompliant, "尚未整改"
					if i == 1 {
						note = `=HYPERLINK("http://evil.example","x")`
					}
				case i == 2 && it.ID == second.ID:
					v = scoring.Partial
				}
				in = append(in, store.AnswerInput{ItemID: it.ID, Value: v, Note: note})
				if it.EvidenceRequired {
					if _, err := a.store.AddEvidence(ctx, u, id, store.NewEvidence{ItemID: it.ID, Name: "证据.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + it.ID)}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if _, err := a.store.SaveAnswers(ctx, u, id, in); err != nil {
			t.Fatal(err)
		}
		for _, it := range []checklist.Item{target, second} {
			if i > 0 && (it.ID == target.ID || i == 2) {
				if _, err := a.store.SavePlan(ctx, u, id, it.ID, store.PlanInput{Measure: "增加关闭按钮", Owner: "张三", Due: "2021-03-01", Status: assessment.PlanOpen}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := a.store.Submit(ctx, u, id); err != nil {
			t.Fatalf("submit: %v", err)
		}
	}
	return cid, target
}

func TestDashboardPage(t *testing.T) {
	a := newTestApp(t)
	cid, target := dashboardCampaign(t, a)
	auditor, _ := a.store.Authenticate(context.Background(), "auditor@demo.local", store.DemoPassword)
	d, err := a.store.CampaignDashboard(context.Background(), auditor, cid, store.DashboardOptions{Today: "2030-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/campaigns/%d/dashboard", cid)
	for _, tt := range []struct {
		lang  string
		wants []string
	}{
		{"zh-CN", []string{"专项行动看板：看板专项", "各主题平均分", "评级分布", "不符合最多的检查项", `aria-label="企业 × 主题得分热力图"`,
			target.Text.ZH, "弹窗骚扰", "总分", "逾期整改计划", "乙公司"}},
		{"en-US", []string{"Campaign dashboard: Dashboard campaign", "Average score per theme", "Grades", "Items most often non-compliant",
			`aria-label="Scores by firm and theme"`, target.Text.EN, "Pop-up windows and harassment", "Overall", "Overdue rectification plans"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			c := a.client()
			c.lang = tt.lang
			c.login("auditor@demo.local")
			r := c.get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("dashboard: %d\n%s", r.Status, r.Body)
			}
			mustContain(t, r.Body, tt.wants...)
			mustContain(t, r.Body, "<svg", `role="table"`, `role="img"`,
				fmt.Sprintf(`href="/campaigns/%d/results.csv"`, cid), fmt.Sprintf(`href="/campaigns/%d/results.xlsx"`, cid))
			// The numbers: states, the top item's count, each theme's
			// average, each firm's overall score in its heat map cell.
			mustContain(t, r.Body, `data-state="submitted">3<`, `<title>`+target.ID+" ")
			for _, ts := range d.Themes {
				mustContain(t, r.Body, fmt.Sprintf(">%.1f", *ts.Average))
			}
			for _, row := range d.Heat.Rows {
				mustContain(t, r.Body, fmt.Sprintf("%s · %s: %.1f", row.FirmName, map[string]string{"zh-CN": "总分", "en-US": "Overall"}[tt.lang], *row.Score))
			}
			if d.TopItems[0].ItemID != target.ID || d.TopItems[0].NonCompliant != 2 {
				t.Errorf("top item: %+v", d.TopItems[0])
			}
			if strings.Contains(r.Body, "<script>") {
				t.Error("script in the dashboard")
			}
		})
	}
}

func TestDashboardAccess(t *testing.T) {
	a := newTestApp(t)
	cid, _ := dashboardCampaign(t, a)
	ctx := context.Background()
	if _, err := a.store.CreateUser(ctx, store.NewUser{Email: "other-auditor@x.cn", Name: "别的审核员", Password: store.DemoPassword, Role: auth.Auditor}); err != nil {
		t.Fatal(err)
	}
	paths := []string{"dashboard", "results.csv", "results.xlsx"}
	for _, tt := range []struct {
		who  string
		want int
	}{
		{"admin@demo.local", http.StatusOK},
		{"auditor@demo.local", http.StatusOK},
		{"other-auditor@x.cn", http.StatusNotFound}, // as if the campaign did not exist
		{"firm@demo.local", http.StatusForbidden},   // the route is for reviewers, like every review page
		{"", http.StatusSeeOther},                   // to the login form
	} {
		c := a.client()
		if tt.who != "" {
			c.login(tt.who)
		}
		for _, p := range paths {
			if r := c.get(fmt.Sprintf("/campaigns/%d/%s", cid, p)); r.Status != tt.want {
				t.Errorf("%s GET %s: %d, want %d", tt.who, p, r.Status, tt.want)
			}
		}
	}
	c := a.client()
	c.login("admin@demo.local")
	for _, p := range []string{"/campaigns/9999/dashboard", "/campaigns/x/results.csv", "/campaigns/0/results.xlsx"} {
		if r := c.get(p); r.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, r.Status)
		}
	}
}

func TestResultsExports(t *testing.T) {
	a := newTestApp(t)
	cid, target := dashboardCampaign(t, a)
	popups, _ := a.catalog.Get("popups")
	deceiving, _ := a.catalog.Get("deceiving")
	rowsWanted := 3 * (len(popups.Items()) + len(deceiving.Items()))
	c := a.client()
	c.login("auditor@demo.local")

	r := c.get(fmt.Sprintf("/campaigns/%d/results.csv", cid))
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("csv: %d %v", r.Status, r.Header)
	}
	if !strings.HasPrefix(r.Body, "\uFEFF") {
		t.Error("no byte-order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+rowsWanted {
		t.Fatalf("%d csv rows, want a header and %d", len(recs), rowsWanted)
	}
	if strings.Join(recs[0][:6], ",") != "企业,统一社会信用代码,自查编号,状态,主题,检查项" {
		t.Errorf("header: %q", recs[0])
	}
	var hostile []string
	perFirm := map[string]int{}
	for _, rec := range recs[1:] {
		perFirm[rec[0]]++
		if rec[5] == target.ID && rec[0] == "乙公司" {
			hostile = rec
		}
	}
	if len(perFirm) != 3 || perFirm["乙公司"] != rowsWanted/3 {
		t.Errorf("rows per firm: %v", perFirm)
	}
	if hostile == nil || hostile[7] != `'=HYPERLINK("http://evil.example","x")` || hostile[6] != "不符合" || hostile[4] != "弹窗骚扰" ||
		hostile[8] != "增加关闭按钮" || hostile[10] != "2021-03-01" || hostile[11] != "未开始" || hostile[3] != "已提交" {
		t.Errorf("the non-compliant row: %q", hostile)
	}

	x := c.get(fmt.Sprintf("/campaigns/%d/results.xlsx", cid))
	if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %v", x.Status, x.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetList()[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if sheet != "自查结果" || len(rows) != len(recs) {
		t.Fatalf("sheet %q: %d rows, want %d", sheet, len(rows), len(recs))
	}
	for i, row := range rows {
		if row[5] == target.ID && row[0] == "乙公司" {
			cell, _ := excelize.CoordinatesToCellName(8, i+1)
			// The CSV's guard apostrophe is not in the XLSX: a text cell
			// never runs as a formula.
			if formula, _ := f.GetCellFormula(sheet, cell); formula != "" || row[7] != strings.TrimPrefix(hostile[7], "'") {
				t.Errorf("note cell %s: %q (formula %q)", cell, row[7], formula)
			}
		}
	}

	// English headers and labels follow the request's language.
	c.lang = "en"
	r = c.get(fmt.Sprintf("/campaigns/%d/results.csv", cid))
	if !strings.Contains(r.Body, "Firm,Unified social credit code,Assessment,State,Theme,Item,Answer,Note") || !strings.Contains(r.Body, "Non-compliant") {
		t.Errorf("english csv:\n%.300s", r.Body)
	}
}

// The heat map's colour bands are scoring's grade bands.
func TestScoreBandsFollowGrades(t *testing.T) {
	grades := []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail}
	for i, b := range scoreBands {
		if got := scoring.GradeFor(b.Min); got != grades[i] {
			t.Errorf("band from %v is %s, want %s", b.Min, got, grades[i])
		}
		if b.Min > 0 && scoring.GradeFor(b.Min-0.001) == grades[i] {
			t.Errorf("grade %s starts below %v", grades[i], b.Min)
		}
		if b.Color != gradeColors[grades[i]] {
			t.Errorf("band %v and grade %s differ in colour", b.Min, grades[i])
		}
	}
}

// A campaign nobody has submitted yet: the page says so, the export is a
// header alone.
func TestDashboardOfEmptyCampaign(t *testing.T) {
	a := newTestApp(t)
	auditor, _ := a.store.Authenticate(context.Background(), "auditor@demo.local", store.DemoPassword)
	views, err := a.store.Campaigns(context.Background(), auditor)
	if err != nil || len(views) != 1 {
		t.Fatalf("the demo campaign: %v %v", views, err)
	}
	c := a.client()
	c.login("auditor@demo.local")
	r := c.get(fmt.Sprintf("/campaigns/%d/dashboard", views[0].ID))
	if r.Status != http.StatusOK {
		t.Fatalf("dashboard: %d", r.Status)
	}
	mustContain(t, r.Body, "暂无已提交的自查", `data-state="draft">0<`)
	r = c.get(fmt.Sprintf("/campaigns/%d/results.csv", views[0].ID))
	if recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll(); r.Status != http.StatusOK || err != nil || len(recs) != 1 {
		t.Errorf("empty export: %d %v %q", r.Status, err, recs)
	}
}

// TestDashboardGapsByClause checks the campaign dashboard's gaps totalled by
// GB/T 35273 clause: a firm's non-compliant and partial answers counted under
// each clause their items map to, in the reader's language.
func TestDashboardGapsByClause(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	admin, _ := a.store.Authenticate(ctx, "admin@demo.local", store.DemoPassword)
	auditor, _ := a.store.Authenticate(ctx, "auditor@demo.local", store.DemoPassword)
	demo, _ := a.store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	cid, err := a.store.CreateCampaign(ctx, admin, store.NewCampaign{NameZH: "国标专项", NameEN: "Standards campaign", Themes: []string{"user-rights"},
		StartsOn: "2021-01-01", Deadline: "2031-12-31", FirmIDs: []uint{*demo.FirmID}, AuditorIDs: []uint{auditor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := a.catalog.Get("user-rights")
	var all []checklist.Tag
	for _, ti := range checklist.Tags {
		all = append(all, ti.Tag)
	}
	id, err := a.store.CreateAssessment(ctx, demo, []*checklist.Checklist{cl}, checklist.NewProfile(all...), &cid)
	if err != nil {
		t.Fatal(err)
	}
	// ur-account-closure maps to GB/T 35273 8.5, ur-no-bundled-consent to 5.3.
	gaps := map[string]scoring.Answer{"ur-account-closure": scoring.NonCompliant, "ur-no-bundled-consent": scoring.Partial}
	var in []store.AnswerInput
	for _, it := range cl.Items() {
		v := scoring.Compliant
		if g, ok := gaps[it.ID]; ok {
			v = g
		}
		in = append(in, store.AnswerInput{ItemID: it.ID, Value: v})
		if it.EvidenceRequired {
			if _, err := a.store.AddEvidence(ctx, demo, id, store.NewEvidence{ItemID: it.ID, Name: "证据.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + it.ID)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := a.store.SaveAnswers(ctx, demo, id, in); err != nil {
		t.Fatal(err)
	}
	for it := range gaps {
		if _, err := a.store.SavePlan(ctx, demo, id, it, store.PlanInput{Measure: "整改", Owner: "张三", Due: "2031-03-01", Status: assessment.PlanOpen}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.store.Submit(ctx, demo, id); err != nil {
		t.Fatalf("submit: %v", err)
	}
	for _, tt := range []struct {
		lang, heading, closure, consent string
	}{
		{"zh-CN", "按 GB/T 35273—2020 条款汇总的差距", "GB/T 35273—2020 8.5", "GB/T 35273—2020 5.3"},
		{"en-US", "Gaps by clause of GB/T 35273-2020", "GB/T 35273-2020 8.5", "GB/T 35273-2020 5.3"},
	} {
		c := a.client()
		c.lang = tt.lang
		c.login("auditor@demo.local")
		r := c.get(fmt.Sprintf("/campaigns/%d/dashboard", cid))
		if r.Status != http.StatusOK {
			t.Fatalf("%s dashboard: %d", tt.lang, r.Status)
		}
		i := strings.Index(r.Body, `id="dash-clauses"`)
		if i < 0 {
			t.Fatalf("%s: no gaps-by-clause section", tt.lang)
		}
		section := r.Body[i : i+strings.Index(r.Body[i:], "</section>")]
		mustContain(t, section, tt.heading,
			`<th scope="row">`+tt.consent+`</th><td><span class="item-id">ur-no-bundled-consent</span>`,
			`<th scope="row">`+tt.closure+`</th><td><span class="item-id">ur-account-closure</span>`)
		// 5.3 comes before 8.5, and each row carries its totals: 0 / 1 and 1 / 0.
		if strings.Index(section, tt.consent) > strings.Index(section, tt.closure) {
			t.Errorf("%s: clauses out of the standard's order", tt.lang)
		}
		row := func(clause string) string {
			j := strings.Index(section, `<th scope="row">`+clause+`</th>`)
			if j < 0 {
				t.Fatalf("%s: no row for %s", tt.lang, clause)
			}
			return section[j : j+strings.Index(section[j:], "</tr>")]
		}
		if !strings.HasSuffix(row(tt.closure), `<td class="num">1</td><td class="num">0</td>`) ||
			!strings.HasSuffix(row(tt.consent), `<td class="num">0</td><td class="num">1</td>`) {
			t.Errorf("%s: clause totals wrong:\n%s", tt.lang, section)
		}
	}
}
