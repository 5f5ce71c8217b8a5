package tabular_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"selfcheck/app/tabular"
	"selfcheck/app/tabular/tabulartest"
)

// A spreadsheet program reads back every cell as the table holds it: user
// text as typed (no guard), numbers as numbers, dates as dates; the sheet
// declares its whole range and the document its properties.
func TestXLSXReadsBackWhole(t *testing.T) {
	when := time.Date(2026, 12, 6, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	tab := tabular.Table{
		Sheet:  "清单",
		Header: []string{"编号", "说明", "权重", "期限"},
		Kinds:  []tabular.Kind{tabular.Text, tabular.Text, tabular.Number, tabular.Date},
		Rows: [][]string{
			{"a-1", "=SUM(A1)", "3", "2030-01-31"},
			{"a-2", "+1", "0.5", ""},
			{"a-3", "@x", "-2", "2027-02-28"},
			{"a-4", "-3", "", "不是日期"},
			{"a-5", "中文，含逗号, 和\"引号\"\n及换行", "10", "2026-12-06"},
			{"a-6", "\u202E=1+1", "x", "2026-13-01"},
		},
		Props: tabular.Props{Title: "检查项", Subject: "自查清单", Language: "zh-CN", Created: when},
	}
	var buf bytes.Buffer
	if err := tabular.WriteXLSX(&buf, tab); err != nil {
		t.Fatal(err)
	}
	b := tabulartest.Read(t, buf.Bytes())
	want := [][]string{
		tab.Header,
		{"a-1", "=SUM(A1)", "3", "2030-01-31"},
		{"a-2", "+1", "0.5", ""},
		{"a-3", "@x", "-2", "2027-02-28"},
		{"a-4", "-3", "", "不是日期"},
		{"a-5", "中文，含逗号, 和\"引号\"\n及换行", "10", "2026-12-06"},
		{"a-6", "=1+1", "x", "2026-13-01"},
	}
	// Shown as the user sees them, dates read as typed; raw, a date cell
	// holds its serial number (a text cell would hold the text), numbers
	// their value, text what the user typed.
	sh := b.Sheet(t, "清单")
	dates := map[int]string{1: "2030-01-31", 3: "2027-02-28", 5: "2026-12-06"}
	for r, day := range dates {
		if got := sh.Rows[r][3]; got != day {
			t.Errorf("row %d: due shown as %q, want %s", r, got, day)
		}
		want[r][3] = tabulartest.Serial(t, day)
	}
	if !reflect.DeepEqual(sh.Raw, want) {
		t.Errorf("cells:\n%q\nwant\n%q", sh.Raw, want)
	}
	tabulartest.CheckParts(t, b, map[string]string{"清单": "A1:D7"}, tabulartest.Core{
		Title: "检查项", Subject: "自查清单", Language: "zh-CN", Created: "2026-12-06T01:30:00Z",
	})
}
