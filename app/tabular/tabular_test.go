package tabular

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

var hostile = Table{
	Sheet:  "清单",
	Header: []string{"id", "text"},
	Rows: [][]string{
		{"a", "=HYPERLINK(\"http://evil\",\"x\")"},
		{"b", "+1+2"},
		{"c", "-3"},
		{"d", "@SUM(A1)"},
		{"e", "正常文本，含逗号, 和\"引号\"\n及换行"},
	},
}

func TestSafe(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@x", "'@x"}, {"\t=1", "'\t=1"},
		{"", ""}, {"a=1", "a=1"}, {"中文", "中文"},
	} {
		if got := Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hostile); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "\uFEFF") {
		t.Error("no BOM: Excel would garble the Chinese")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[1][1][0] != '\'' || recs[4][1] != "'@SUM(A1)" || recs[5][1] != hostile.Rows[4][1] {
		t.Errorf("records: %q", recs)
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, hostile); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("清单")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || rows[0][0] != "id" || rows[5][1] != hostile.Rows[4][1] {
		t.Fatalf("rows: %q", rows)
	}
	for i := 1; i <= 4; i++ {
		cell, _ := excelize.CoordinatesToCellName(2, i+1)
		if formula, _ := f.GetCellFormula("清单", cell); formula != "" {
			t.Errorf("%s holds the formula %q", cell, formula)
		}
		if rows[i][1] != hostile.Rows[i-1][1] {
			t.Errorf("%s = %q, want the text as typed %q", cell, rows[i][1], hostile.Rows[i-1][1])
		}
	}
}
