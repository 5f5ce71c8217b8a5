package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/i18n"
	"selfcheck/app/scoring"
)

// hostileNote is a classic CSV-injection payload: it must stay text.
const hostileNote = "=cmd|' /C calc'!A0"

// exportSheet builds a small assessment with every kind of answer, plans
// (one overdue, one done, one without a due date), evidence files, a note
// that would run as a formula, Markdown and HTML in notes, an item left out
// by the profile and an item id that starts with a digit.
func exportSheet() *assessment.Sheet {
	privacy := &checklist.Checklist{
		ID: "app-privacy", Version: "2021.1",
		Title: checklist.Text{ZH: "App个人信息保护", EN: "App privacy"},
		Sources: []checklist.Source{
			{ID: "pipl", Title: checklist.Text{ZH: "中华人民共和国个人信息保护法", EN: "Personal Information Protection Law"}},
		},
		Sections: []checklist.Section{{ID: "collect", Title: checklist.Text{ZH: "收集"}, Items: []checklist.Item{
			{ID: "ap-01", Text: checklist.Text{ZH: "收集前是否告知处理目的", EN: "Purpose told before collection"},
				Guidance: checklist.Text{ZH: "查看隐私政策"}, Evidence: checklist.Text{ZH: "隐私政策截图", EN: "Screenshot"},
				Basis:  []checklist.Basis{{Source: "pipl", Article: checklist.Text{ZH: "第十七条", EN: "Art. 17"}}},
				Weight: 2, Severity: checklist.High, EvidenceRequired: true},
			{ID: "ap-02", Text: checklist.Text{ZH: "是否存在默认勾选同意"}, Weight: 1, Severity: checklist.Critical},
			{ID: "ap-03", Text: checklist.Text{ZH: "SDK是否经同意提供设备标识", EN: "SDK shares device ids only with consent"},
				Basis: []checklist.Basis{{Source: "pipl"}}, Weight: 3, Severity: checklist.Medium},
			{ID: "ap-04", Text: checklist.Text{ZH: "是否提供注销渠道", EN: "Account closure offered"}, Weight: 1, Severity: checklist.Low},
		}}},
	}
	popups := &checklist.Checklist{
		ID: "popups", Version: "2021.2",
		Title: checklist.Text{ZH: "弹窗骚扰", EN: "Pop-ups"},
		Sections: []checklist.Section{{ID: "s1", Items: []checklist.Item{
			{ID: "pp-01", Text: checklist.Text{ZH: "关闭按钮是否易于识别", EN: "Close button easy to find"}, Weight: 1, Severity: checklist.Medium},
			{ID: "pp-02", Text: checklist.Text{ZH: "是否频繁弹窗", EN: "No repeated pop-ups"}, Weight: 2, Severity: checklist.High},
			{ID: "9-first", Text: checklist.Text{ZH: "编号以数字开头的检查项", EN: "An item whose id starts with a digit"}, Weight: 1, Severity: checklist.Low},
		}}},
	}
	left := checklist.Item{ID: "pp-sdk", Text: checklist.Text{ZH: "SDK弹窗", EN: "SDK pop-ups"}, AppliesTo: []checklist.Tag{"sdk"}}
	at := time.Date(2021, 11, 10, 8, 30, 0, 0, time.UTC)
	submitted := time.Date(2021, 11, 20, 9, 0, 0, 0, time.UTC)
	ans := func(v scoring.Answer, note string) assessment.Answer {
		return assessment.Answer{Value: v, Note: note, Version: 1, UpdatedAt: at, UpdatedBy: "张三"}
	}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	return &assessment.Sheet{
		ID: 42, FirmID: 7, FirmName: "北京示例网络科技有限公司", CreditCode: "91110108MA01ABCD2X",
		State: assessment.Submitted, CreatedAt: time.Date(2021, 11, 1, 9, 0, 0, 0, time.UTC), SubmittedAt: &submitted,
		Profile:    checklist.NewProfile("app"),
		Checklists: []*checklist.Checklist{privacy, popups},
		Excluded:   []assessment.Ref{{Checklist: popups, Item: left}},
		Answers: map[string]assessment.Answer{
			"ap-01":   ans(scoring.Compliant, "隐私政策第3条已列明。"),
			"ap-02":   ans(scoring.NonCompliant, hostileNote),
			"ap-03":   ans(scoring.Partial, "<script>alert(1)</script> *粗体* [link](http://x)\n# 标题\n1. 列表"),
			"ap-04":   ans(scoring.NotApplicable, "本App不提供账号体系。"),
			"pp-01":   ans(scoring.Partial, ""),
			"pp-02":   ans(scoring.Compliant, "+1 已复测"),
			"9-first": {}, // not answered
		},
		Plans: map[string]assessment.Plan{
			"ap-02": {Measure: "=HYPERLINK(\"http://evil\")", Owner: "李四", Due: "2021-11-30", Status: assessment.PlanInProgress},
			"ap-03": {Measure: "移除SDK", Owner: "王五", Due: "2022-01-31", Status: assessment.PlanOpen},
			"pp-01": {Measure: "调整按钮", Owner: "", Due: "", Status: assessment.PlanDone},
		},
		Evidence: map[string][]assessment.Evidence{
			"ap-01": {
				{ID: 3, ItemID: "ap-01", Name: "policy.pdf", Kind: "pdf", Size: 1234, SHA256: sum("policy"), UploadedAt: at, UploadedBy: "张三"},
				{ID: 4, ItemID: "ap-01", Name: "=evil.png", Kind: "png", Size: 99, SHA256: sum("shot"), UploadedAt: at, UploadedBy: "张三"},
			},
			"pp-01": {{ID: 5, ItemID: "pp-01", Name: "popup.jpeg", Kind: "jpeg", Size: 5, SHA256: sum("popup"), UploadedAt: at}},
		},
		Campaign: &assessment.Campaign{ID: 1, Name: checklist.Text{ZH: "2021年专项整治", EN: "2021 campaign"},
			Themes: []string{"app-privacy", "popups"}, StartsOn: "2021-11-01", Deadline: "2021-12-31"},
	}
}

// exportData binds the real message catalog to lang; a key the catalog
// lacks fails the test.
func exportData(tb testing.TB, s *assessment.Sheet, lang string) Data {
	tb.Helper()
	cat, err := i18n.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return Data{
		Sheet: s,
		Lang:  lang,
		T: func(k string, a ...any) string {
			if !cat.Has(k) {
				tb.Errorf("message key %q is not in the catalog", k)
			}
			return cat.T(lang, k, a...)
		},
		GeneratedAt: time.Date(2021, 12, 1, 2, 15, 0, 0, time.UTC),
		Location:    time.FixedZone("CST", 8*3600),
		Reviews: []Review{{State: assessment.ChangesRequested, Comment: "请补充证据", Reviewer: "审核员",
			At: time.Date(2021, 11, 25, 3, 0, 0, 0, time.UTC), Items: []ItemVerdict{{ItemID: "ap-01", Verdict: "needs_change", Comment: "截图不清"}}}},
		Verify: Verification{Code: "ABCD-1234", URL: "https://selfcheck.example/verify/ABCD-1234"},
	}
}

// wantAnswer is the answer label item id should show.
func wantAnswer(d Data, id string) string { return xAnswer(d, d.Sheet.Answers[id].Value) }

func itemIDs(s *assessment.Sheet) []string {
	var ids []string
	for _, cl := range s.Checklists {
		for _, it := range cl.Items() {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

func TestXLSX(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := exportSheet()
			d := exportData(t, s, lang)
			var buf bytes.Buffer
			if err := XLSX(&buf, d); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			summary, items, plans, standards := d.T("export.sheet.summary"), d.T("export.sheet.items"), d.T("export.sheet.plans"), d.T("standards.xlsx.sheet")
			if got, want := f.GetSheetList(), []string{summary, items, plans, standards}; !slices.Equal(got, want) {
				t.Fatalf("sheets = %q, want %q", got, want)
			}

			// The summary's theme table starts after the facts (nine, and
			// the verification code) and a blank row.
			themeHeader := 12
			filters := map[string]string{}
			for _, dn := range f.GetDefinedName() {
				if dn.Name == "_xlnm._FilterDatabase" {
					filters[dn.Scope] = dn.RefersTo
				}
			}
			for _, tt := range []struct {
				sheet  string
				header int
				filter string
			}{
				{summary, themeHeader, "'" + summary + "'!$A$12:$G$14"},
				{items, 1, "'" + items + "'!$A$1:$M$8"},
				{plans, 1, "'" + plans + "'!$A$1:$I$4"},
			} {
				p, err := f.GetPanes(tt.sheet)
				if err != nil {
					t.Fatal(err)
				}
				if !p.Freeze || p.YSplit != tt.header || p.TopLeftCell != "A"+strconv.Itoa(tt.header+1) {
					t.Errorf("%s: panes = %+v, want the header row %d frozen", tt.sheet, p, tt.header)
				}
				if got := strings.ReplaceAll(filters[tt.sheet], "$", ""); got != strings.ReplaceAll(tt.filter, "$", "") {
					t.Errorf("%s: autofilter = %q, want %q", tt.sheet, filters[tt.sheet], tt.filter)
				}
				head, err := f.GetRows(tt.sheet)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range head[tt.header-1] {
					if c == "" || strings.HasPrefix(c, "export.") {
						t.Errorf("%s: header %q is not translated", tt.sheet, head[tt.header-1])
						break
					}
				}
			}

			rows, err := f.GetRows(items)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], append(xItemHeader(d), d.T("export.col.refs"))) {
				t.Errorf("items header = %q", rows[0])
			}
			ids := itemIDs(s)
			if len(rows)-1 != len(ids) {
				t.Fatalf("items sheet has %d rows, want one per item (%d)", len(rows)-1, len(ids))
			}
			for i, id := range ids {
				r := append(rows[i+1], make([]string, 13)...)
				p := s.Plans[id]
				want := map[int]string{1: id, 3: wantAnswer(d, id), 8: p.Measure, 9: p.Owner, 10: p.Due,
					12: strconv.Itoa(len(s.Evidence[id]))}
				for col, w := range want {
					if r[col] != w {
						t.Errorf("items row %s column %d = %q, want %q", id, col+1, r[col], w)
					}
				}
			}
			// A text cell never runs as a formula: the note reads as typed.
			if got := rows[2][4]; got != hostileNote {
				t.Errorf("hostile note = %q, want it as typed %q", got, hostileNote)
			}

			prow, err := f.GetRows(plans)
			if err != nil {
				t.Fatal(err)
			}
			if len(prow)-1 != len(s.Gaps()) {
				t.Errorf("plans sheet has %d rows, want one per gap (%d)", len(prow)-1, len(s.Gaps()))
			}
			overdue := map[string]string{}
			for _, r := range prow[1:] {
				overdue[r[1]] = r[8]
			}
			// On 2021-12-01 (GeneratedAt in CST) ap-02, due 2021-11-30 and in
			// progress, is overdue; ap-03 (due 2022) and the done pp-01 are not.
			for id, want := range map[string]string{"ap-02": d.T("export.yes"), "ap-03": d.T("export.no"), "pp-01": d.T("export.no")} {
				if overdue[id] != want {
					t.Errorf("plans: %s overdue = %q, want %q", id, overdue[id], want)
				}
			}

			srows, err := f.GetRows(summary)
			if err != nil {
				t.Fatal(err)
			}
			if srows[0][1] != s.FirmName || srows[1][1] != s.CreditCode || srows[2][1] != "42" {
				t.Errorf("summary facts = %q", srows[:3])
			}
			if srows[8][1] != d.T("export.yes") {
				t.Errorf("critical failure = %q, want yes (ap-02 is critical and non-compliant)", srows[8][1])
			}
			if len(srows) != themeHeader+len(s.Checklists) || srows[themeHeader][1] != "app-privacy" || srows[themeHeader][2] != "2021.1" {
				t.Errorf("theme table = %q", srows[themeHeader-1:])
			}

			// No cell anywhere holds a formula, whatever its text.
			for _, sh := range f.GetSheetList() {
				all, _ := f.GetRows(sh)
				for r, row := range all {
					for c := range row {
						cell := xCell(c+1, r+1)
						if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
							t.Errorf("%s!%s holds the formula %q", sh, cell, fm)
						}
					}
				}
			}
		})
	}
}

func TestCSV(t *testing.T) {
	s := exportSheet()
	d := exportData(t, s, "zh")
	var buf bytes.Buffer
	if err := CSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\uFEFF") {
		t.Fatal("no byte-order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], append(xItemHeader(d), d.T("export.col.refs"))) {
		t.Errorf("header = %q", rows[0])
	}
	ids := itemIDs(s)
	if len(rows)-1 != len(ids) {
		t.Fatalf("%d rows, want one per item (%d)", len(rows)-1, len(ids))
	}
	for i, id := range ids {
		r := rows[i+1]
		if len(r) != 14 || r[1] != id || r[3] != wantAnswer(d, id) || r[12] != strconv.Itoa(len(s.Evidence[id])) {
			t.Errorf("row %d = %q", i+1, r)
		}
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Errorf("row %s: cell %q starts a formula", id, c)
			}
		}
	}
	if rows[2][4] != "'"+hostileNote || rows[2][8] != "'=HYPERLINK(\"http://evil\")" {
		t.Errorf("hostile cells = %q, %q", rows[2][4], rows[2][8])
	}
}

func TestJSON(t *testing.T) {
	s := exportSheet()
	d := exportData(t, s, "en")
	var first bytes.Buffer
	if err := JSON(&first, d); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var again bytes.Buffer
		if err := JSON(&again, d); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), again.Bytes()) {
			t.Fatal("two renderings of the same Data differ")
		}
	}

	dec := json.NewDecoder(bytes.NewReader(first.Bytes()))
	dec.DisallowUnknownFields()
	var doc jsonReport
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if doc.Format != "selfcheck-report" || doc.GeneratedAt == nil || !doc.GeneratedAt.Equal(d.GeneratedAt) {
		t.Errorf("header = %q %v", doc.Format, doc.GeneratedAt)
	}
	if doc.Verification == nil || doc.Verification.Code != "ABCD-1234" {
		t.Errorf("verification = %+v", doc.Verification)
	}
	if doc.Assessment.ID != 42 || doc.Assessment.Firm.CreditCode != s.CreditCode || doc.Assessment.State != "submitted" ||
		doc.Assessment.Campaign == nil || !slices.Equal(doc.Assessment.Profile, []string{"app"}) {
		t.Errorf("assessment = %+v", doc.Assessment)
	}
	if len(doc.Themes) != 2 || doc.Themes[0].ID != "app-privacy" || doc.Themes[0].Score == nil || !doc.Result.CriticalFail {
		t.Errorf("themes = %+v, result = %+v", doc.Themes, doc.Result)
	}
	var ids []string
	for _, it := range doc.Items {
		ids = append(ids, it.ID)
	}
	if !slices.Equal(ids, itemIDs(s)) {
		t.Fatalf("items = %q, want checklist order %q", ids, itemIDs(s))
	}
	byID := map[string]jsonItem{}
	for _, it := range doc.Items {
		byID[it.ID] = it
	}
	for _, tt := range []struct {
		id, answer string
		plan       bool
		evidence   int
	}{
		{"ap-01", "compliant", false, 2},
		{"ap-02", "non_compliant", true, 0},
		{"ap-03", "partial", true, 0},
		{"ap-04", "na", false, 0},
		{"pp-01", "partial", true, 1},
		{"9-first", "", false, 0},
	} {
		it := byID[tt.id]
		got := ""
		if it.Answer != nil {
			got = *it.Answer
		}
		if got != tt.answer || (it.Plan != nil) != tt.plan || len(it.Evidence) != tt.evidence {
			t.Errorf("%s: answer %q plan %v evidence %d, want %q %v %d", tt.id, got, it.Plan != nil, len(it.Evidence), tt.answer, tt.plan, tt.evidence)
		}
	}
	ap01 := byID["ap-01"]
	if ap01.Text.ZH == "" || ap01.Text.EN == "" || ap01.Basis[0].Title.EN == "" || ap01.Evidence[0].SHA256 != s.Evidence["ap-01"][0].SHA256 {
		t.Errorf("ap-01 = %+v", ap01)
	}
	if p := byID["ap-02"].Plan; p == nil || p.Overdue == nil || !*p.Overdue {
		t.Errorf("ap-02 plan = %+v, want overdue", p)
	}
	if byID["ap-02"].Note != hostileNote {
		t.Errorf("note = %q, want it as typed", byID["ap-02"].Note)
	}
	if len(doc.Excluded) != 1 || doc.Excluded[0].ID != "pp-sdk" || len(doc.Reviews) != 1 || doc.Reviews[0].Items[0].ItemID != "ap-01" {
		t.Errorf("excluded = %+v, reviews = %+v", doc.Excluded, doc.Reviews)
	}
	// English missing from the checklist is left out, not emptied.
	if !strings.Contains(first.String(), `"text": {`+"\n"+`        "zh": "是否存在默认勾选同意"`+"\n"+`      }`) {
		t.Error(`an item without English text must show {"zh": …} only`)
	}
	if !strings.Contains(first.String(), `"answer": null`) {
		t.Error("an unanswered item must have answer null")
	}
}

func TestCanonical(t *testing.T) {
	s := exportSheet()
	base := exportData(t, s, "zh")
	want, err := Canonical(base)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(want, []byte("\n")) || !json.Valid(want) {
		t.Fatal("canonical form must be compact, valid JSON")
	}
	for _, key := range []string{`"generated_at"`, `"verification"`, `"overdue"`, "ABCD-1234"} {
		if bytes.Contains(want, []byte(key)) {
			t.Errorf("canonical form holds %s", key)
		}
	}
	for _, tt := range []struct {
		name   string
		change func(*Data)
		same   bool
	}{
		{"generation time", func(d *Data) { d.GeneratedAt = d.GeneratedAt.Add(400 * 24 * time.Hour) }, true},
		{"verification", func(d *Data) { d.Verify = Verification{Code: "OTHER", URL: "https://x/verify/OTHER"} }, true},
		{"language", func(d *Data) { *d = exportData(t, s, "en") }, true},
		{"time zone", func(d *Data) { d.Location = time.FixedZone("X", -5*3600) }, true},
		{"no catalog", func(d *Data) { d.T = nil }, true},
		{"note", func(d *Data) {
			c := *d.Sheet
			c.Answers = map[string]assessment.Answer{}
			for k, v := range d.Sheet.Answers {
				c.Answers[k] = v
			}
			a := c.Answers["ap-01"]
			a.Note += "!"
			c.Answers["ap-01"] = a
			d.Sheet = &c
		}, false},
		{"review", func(d *Data) { d.Reviews = nil }, false},
	} {
		d := base
		tt.change(&d)
		got, err := Canonical(d)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(got, want) != tt.same {
			t.Errorf("%s: canonical form same = %v, want %v", tt.name, !tt.same, tt.same)
		}
	}
}

type exportFailWriter struct{}

func (exportFailWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestExportErrors(t *testing.T) {
	d := exportData(t, exportSheet(), "zh")
	exports := map[string]func(io.Writer, Data) error{"xlsx": XLSX, "csv": CSV, "json": JSON, "oscal": OSCAL}
	for name, export := range exports {
		if err := export(io.Discard, Data{T: d.T}); err == nil {
			t.Errorf("%s without a sheet: no error", name)
		}
		if err := export(exportFailWriter{}, d); err == nil {
			t.Errorf("%s to a failing writer: no error", name)
		}
		noT := d
		noT.T = nil
		err := export(io.Discard, noT)
		if labelled := name != "json"; (err != nil) != labelled {
			t.Errorf("%s without a catalog: error %v", name, err)
		}
	}
	if _, err := Canonical(Data{}); err == nil {
		t.Error("Canonical without a sheet: no error")
	}
}

// Every label the exports build from a value has a message.
func TestExportLabels(t *testing.T) {
	for _, lang := range i18n.Languages {
		d := exportData(t, exportSheet(), lang)
		for _, a := range append(slices.Clone(scoring.Answers), scoring.Unanswered) {
			xAnswer(d, a)
		}
		for _, s := range checklist.Severities {
			xSeverity(d, s)
		}
		for _, g := range []scoring.Grade{scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail, scoring.NoGrade} {
			xGrade(d, g)
		}
		for _, s := range assessment.States {
			xState(d, s)
		}
		for _, st := range assessment.AllPlanStatuses {
			xPlanStatus(d, exportItem{hasPlan: true, plan: assessment.Plan{Status: st}})
		}
		overdue := exportItem{hasPlan: true, plan: assessment.Plan{Status: assessment.PlanOpen, Due: "2000-01-01"}}
		if got, want := xPlanStatusOverdue(d, overdue), d.T("export.plan.overdue_status", d.T("export.plan.open")); got != want {
			t.Errorf("an overdue plan's status shows as %q, want %q", got, want)
		}
		xPlanStatus(d, exportItem{answer: assessment.Answer{Value: scoring.Partial}})
		if got := xState(d, "archived"); got != "archived" {
			t.Errorf("an unknown state shows as %q", got)
		}
	}
}
