package reporting_test

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/tabular/tabulartest"
	"selfcheck/app/testenv"
)

// A spreadsheet program that trusts the file (Gnumeric) reads every cell of
// a campaign's results.xlsx as the store holds it: hostile and Chinese
// notes as typed, assessment numbers and evidence counts as numbers, due
// dates as dates; the streamed sheet declares its whole range and the
// document its properties.
func TestCampaignResultsXLSXReadsBack(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	firm, err := env.Store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := env.Store.Authenticate(ctx, "auditor@demo.local", store.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	camps, err := env.Store.Campaigns(ctx, firm)
	if err != nil || len(camps) == 0 {
		t.Fatalf("demo campaign: %v", err)
	}
	cat, _, err := env.Catalog.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cid := camps[0].ID
	id, err := env.Store.CreateAssessment(ctx, firm, cat.Checklists, store.DemoProfile, &cid)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := env.Store.Sheet(ctx, firm, id)
	if err != nil {
		t.Fatal(err)
	}
	notes := []string{"=SUM(A1)", "+1", "@x", "-2 已复核", "中文说明，含逗号, 和\"引号\"\n第二行"}
	var in []store.AnswerInput
	gap := ""
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v, note := scoring.Compliant, ""
			if len(in) < len(notes) {
				note = notes[len(in)]
			}
			if gap == "" {
				gap, v = it.ID, scoring.NonCompliant
			}
			in = append(in, store.AnswerInput{ItemID: it.ID, Value: v, Note: note})
			if it.EvidenceRequired && it.ID != gap {
				if _, err := env.Store.AddEvidence(ctx, firm, id, store.NewEvidence{ItemID: it.ID, Name: "证明.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 " + it.ID)}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := env.Store.SaveAnswers(ctx, firm, id, in); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.SavePlan(ctx, firm, id, gap, store.PlanInput{Measure: "=HYPERLINK(\"http://evil\")", Owner: "产品部", Due: "2030-06-30", Status: assessment.PlanOpen}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Store.AddEvidence(ctx, firm, id, store.NewEvidence{ItemID: gap, Name: "证明.pdf", Kind: "pdf", Data: []byte("%PDF-1.4 x")}); err != nil {
		t.Fatal(err)
	}
	if err := env.Store.Submit(ctx, firm, id); err != nil {
		t.Fatal(err)
	}

	env.Reports.Now = func() time.Time { return time.Date(2026, 12, 6, 13, 0, 0, 0, time.UTC) }
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := env.Reports.CampaignResults(ctx, auditor, cid, lang, "xlsx", func(string, string) io.Writer { return &buf }); err != nil {
				t.Fatal(err)
			}
			tr := func(key string) string { return env.Messages.T(lang, key) }
			want := [][]string{}
			if err := env.Store.CampaignResults(ctx, auditor, cid, func(r store.ResultRow) error {
				theme := r.ThemeTitle.In(lang)
				if theme == "" {
					theme = r.ChecklistID
				}
				answer := tr("answer.none")
				if r.Answer != scoring.Unanswered {
					answer = tr("answer." + string(r.Answer))
				}
				due, status := "", ""
				if r.Plan.Due != "" {
					due = tabulartest.Serial(t, r.Plan.Due)
				}
				if r.Plan.Status != "" {
					status = tr("plan.status." + string(r.Plan.Status))
				}
				want = append(want, []string{r.FirmName, r.CreditCode, strconv.FormatUint(uint64(r.AssessmentID), 10),
					tr("state." + string(r.State)), theme, r.ItemID, answer, r.Note, r.Plan.Measure, r.Plan.Owner,
					due, status, strconv.Itoa(r.Evidence)})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			b := tabulartest.Read(t, buf.Bytes())
			name := tr("dashboard.sheet")
			language := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
			tabulartest.CheckParts(t, b, map[string]string{name: "A1:M" + strconv.Itoa(len(want)+1)}, tabulartest.Core{
				Title: camps[0].Name.In(lang) + " - " + name, Subject: camps[0].Name.In(lang), Language: language,
				Created: "2026-12-06T13:00:00Z",
			})
			got := b.Sheet(t, name)
			if len(got.Raw) != len(want)+1 {
				t.Fatalf("%d rows, want a header and %d", len(got.Raw), len(want))
			}
			seen := map[string]bool{}
			for i, w := range want {
				row := append(got.Raw[i+1], make([]string, 13)...)[:13]
				if !slices.Equal(row, w) {
					t.Errorf("row %d:\n got %q\nwant %q", i+2, row, w)
				}
				seen[w[7]] = true
				if w[10] != "" && got.Rows[i+1][10] != "2030-06-30" {
					t.Errorf("row %d: due shows %q", i+2, got.Rows[i+1][10])
				}
			}
			for _, n := range notes {
				if !seen[n] {
					t.Errorf("note %q is not in the results", n)
				}
			}
		})
	}
}
