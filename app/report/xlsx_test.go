package report

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/tabular"
	"selfcheck/app/tabular/tabulartest"
)

// BenchmarkXLSX120 writes the report.xlsx of the 120-item sheet of
// BenchmarkPDF120 ("long-notes"), reporting the median time and the size.
func BenchmarkXLSX120(b *testing.B) {
	d := exportData(b, buildSheet(), "zh")
	var (
		buf   bytes.Buffer
		times []time.Duration
	)
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		start := time.Now()
		if err := XLSX(&buf, d); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(buf.Len()), "bytes/xlsx")
}

// A spreadsheet program that trusts the file (Gnumeric) reads every cell of
// report.xlsx as the assessment holds it: notes and measures as typed,
// hostile or Chinese, numbers as numbers, due dates and the generation time
// as dates; each sheet declares its whole range, none is flagged filtered,
// and the document properties name the report.
func TestXLSXReadsBackInGnumeric(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := exportSheet()
			a := s.Answers["ap-04"]
			a.Note = "@x 本App不提供账号体系。"
			s.Answers["ap-04"] = a
			d := exportData(t, s, lang)
			var buf bytes.Buffer
			if err := XLSX(&buf, d); err != nil {
				t.Fatal(err)
			}
			b := tabulartest.Read(t, buf.Bytes())
			summary, items, plans, standards := d.T("export.sheet.summary"), d.T("export.sheet.items"), d.T("export.sheet.plans"), d.T("standards.xlsx.sheet")
			// Summary: ten facts, a blank row, the theme header and two
			// themes, seven columns; items: header and 7 items, 13
			// columns and the standards mapping beside them; plans:
			// header and 3 gaps, 9 columns; standards: the header alone,
			// no item of the fixture mapping to a clause, 7 columns.
			language := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
			tabulartest.CheckParts(t, b, map[string]string{summary: "A1:G14", items: "A1:N8", plans: "A1:I4", standards: "A1:G1"}, tabulartest.Core{
				Title: d.T("report.title") + " - " + s.FirmName, Subject: s.FirmName, Language: language,
				Created: "2021-12-01T02:15:00Z",
			})

			sum := b.Sheet(t, summary)
			if got := sum.Rows[5][1]; got != exportWhen(d, d.GeneratedAt) {
				t.Errorf("generated at shows %q, want %q", got, exportWhen(d, d.GeneratedAt))
			}
			// 2021-12-01 10:15 CST: the serial number of a date-time cell.
			if got := sum.Raw[5][1]; !strings.HasPrefix(got, tabulartest.Serial(t, "2021-12-01")+".") {
				t.Errorf("generated at is %q raw, not a date-time", got)
			}
			for r, want := range map[int]string{0: s.FirmName, 1: s.CreditCode, 2: "42"} {
				if got := sum.Raw[r][1]; got != want {
					t.Errorf("summary row %d = %q, want %q", r+1, got, want)
				}
			}
			res := s.Result()
			if got, want := sum.Raw[6][1], strconv.FormatFloat(xRound(*res.Score, 1), 'f', -1, 64); got != want {
				t.Errorf("score = %q, want the number %s", got, want)
			}
			for i, cl := range s.Checklists {
				tr := res.Themes[i]
				row := sum.Raw[12+i]
				want := []string{cl.Title.In(lang), cl.ID, cl.Version, strconv.FormatFloat(xRound(*tr.Score, 1), 'f', -1, 64),
					strconv.Itoa(tr.Answered), strconv.Itoa(tr.Total), strconv.Itoa(tr.Gaps)}
				if !slices.Equal(row, want) {
					t.Errorf("theme %s = %q, want %q", cl.ID, row, want)
				}
			}

			it := b.Sheet(t, items)
			if !slices.Equal(it.Raw[0], append(xItemHeader(d), d.T("export.col.refs"))) {
				t.Errorf("items header = %q", it.Raw[0])
			}
			var row int
			for _, cl := range s.Checklists {
				for _, item := range cl.Items() {
					row++
					if row >= len(it.Raw) {
						t.Fatalf("items sheet ends at row %d", row)
					}
					got := append(it.Raw[row], make([]string, 14)...)[:14]
					p := s.Plans[item.ID]
					due, shown := "", ""
					if p.Due != "" {
						due, shown = tabulartest.Serial(t, p.Due), p.Due
					}
					status := ""
					if p.Status != "" {
						status = d.T("export.plan." + string(p.Status))
					}
					// The items sheet's only plan column says when it is overdue.
					if _, ok := s.Plans[item.ID]; ok && p.Overdue(d.GeneratedAt.In(exportZone(d)).Format("2006-01-02")) {
						status = d.T("export.plan.overdue_status", status)
					}
					want := []string{cl.Title.In(lang), item.ID, item.Text.In(lang), wantAnswer(d, item.ID),
						s.Answers[item.ID].Note, cl.BasisText(item, lang), d.T("export.severity." + string(item.Severity)),
						strconv.Itoa(item.Weight), p.Measure, p.Owner, due, status, strconv.Itoa(len(s.Evidence[item.ID])),
						checklist.RefsText(item.Refs, lang)}
					if !slices.Equal(got, want) {
						t.Errorf("item %s:\n got %q\nwant %q", item.ID, got, want)
					}
					if shown != "" && it.Rows[row][10] != shown {
						t.Errorf("item %s: due shows %q, want %s", item.ID, it.Rows[row][10], shown)
					}
				}
			}
			if row != len(it.Raw)-1 {
				t.Errorf("items sheet has %d rows, want %d", len(it.Raw)-1, row)
			}

			pl := b.Sheet(t, plans)
			if len(pl.Raw) != 4 {
				t.Fatalf("plans sheet: %q", pl.Raw)
			}
			for _, r := range pl.Raw[1:] {
				p := s.Plans[r[1]]
				due := ""
				if p.Due != "" {
					due = tabulartest.Serial(t, p.Due)
				}
				if r[4] != p.Measure || r[5] != p.Owner || r[6] != due {
					t.Errorf("plan %s = %q, want %q %q %q", r[1], r, p.Measure, p.Owner, due)
				}
			}
		})
	}
}

// The rectification ledger (整改台账) reads back in Gnumeric cell for cell
// as the application holds it: one row per gap, text as typed, the due,
// done and verified days as dates; its range declared whole, no filter
// flag, and properties naming the rectification report.
func TestRectificationXLSXReadsBackInGnumeric(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			s := exportSheet()
			for id, p := range s.Plans {
				p.DoneOn, p.VerifiedOn, p.ReviewComment = "2021-11-28", "2021-11-30", "=HYPERLINK(\"x\") 已核实"
				s.Plans[id] = p
				break
			}
			d := exportData(t, s, lang)
			var buf bytes.Buffer
			if err := RectificationXLSX(&buf, d); err != nil {
				t.Fatal(err)
			}
			tab := rectificationLedger(d)
			if len(tab.Rows) == 0 {
				t.Fatal("the fixture has no gap")
			}
			b := tabulartest.Read(t, buf.Bytes())
			language := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
			tabulartest.CheckParts(t, b, map[string]string{tab.Sheet: fmt.Sprintf("A1:O%d", len(tab.Rows)+1)}, tabulartest.Core{
				Title: d.T("rectification.title") + " - " + s.FirmName, Subject: s.FirmName, Language: language,
				Created: "2021-12-01T02:15:00Z",
			})
			sh := b.Sheet(t, tab.Sheet)
			if len(sh.Raw) != len(tab.Rows)+1 || !slices.Equal(append(sh.Raw[0], make([]string, 15)...)[:15], tab.Header) {
				t.Fatalf("ledger: %d rows, header %q; want %d, %q", len(sh.Raw), sh.Raw[0], len(tab.Rows)+1, tab.Header)
			}
			dates := 0
			for r, row := range tab.Rows {
				got := append(sh.Raw[r+1], make([]string, 15)...)[:15]
				for c, want := range row {
					shown := want
					if c < len(tab.Kinds) && tab.Kinds[c] == tabular.Date && want != "" {
						want = tabulartest.Serial(t, want)
						dates++
						if sh.Rows[r+1][c] != shown {
							t.Errorf("row %d column %d shows %q, want the date %s", r+1, c+1, sh.Rows[r+1][c], shown)
						}
					}
					if got[c] != want {
						t.Errorf("row %d column %d = %q, want %q", r+1, c+1, got[c], want)
					}
				}
			}
			if dates < 3 {
				t.Errorf("only %d date cells checked", dates)
			}
		})
	}
}
