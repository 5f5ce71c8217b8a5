package tabular

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The streams write what WriteCSV and WriteXLSX write for the same table.
func TestCSVStreamMatchesWriteCSV(t *testing.T) {
	var whole, streamed bytes.Buffer
	if err := WriteCSV(&whole, hostile); err != nil {
		t.Fatal(err)
	}
	s, err := NewCSVStream(&streamed, hostile.Header)
	if err != nil {
		t.Fatal(err)
	}
	if streamed.Len() != 0 {
		t.Error("the header reached the writer before Flush: a later error could not become an error page")
	}
	for _, r := range hostile.Rows {
		if err := s.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if streamed.String() != whole.String() {
		t.Errorf("stream:\n%q\nwhole:\n%q", streamed.String(), whole.String())
	}
}

func TestXLSXStream(t *testing.T) {
	x, err := NewXLSXStream(Table{Sheet: "清单", Header: hostile.Header, Widths: []float64{10, 40}})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	x.maxRows = 4 // header + 3 rows a sheet: the 5 rows need two sheets
	for _, r := range hostile.Rows {
		if err := x.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "清单" || got[1] != "清单 (2)" {
		t.Fatalf("sheets: %v", got)
	}
	first, _ := f.GetRows("清单")
	second, _ := f.GetRows("清单 (2)")
	if len(first) != 4 || len(second) != 3 || second[0][0] != "id" || first[1][1] != hostile.Rows[0][1] ||
		second[1][1] != "@SUM(A1)" || second[2][1] != hostile.Rows[4][1] {
		t.Errorf("rows: %q %q", first, second)
	}
	// Each sheet declares the range it fills, although the stream wrote
	// its head before its rows.
	for sheet, want := range map[string]string{"清单": "A1:B4", "清单 (2)": "A1:B3"} {
		if got, _ := f.GetSheetDimension(sheet); got != want {
			t.Errorf("%s: dimension %q, want %q", sheet, got, want)
		}
	}
	for _, sheet := range []string{"清单", "清单 (2)"} {
		if formula, _ := f.GetCellFormula(sheet, "B2"); formula != "" {
			t.Errorf("%s!B2 holds the formula %q", sheet, formula)
		}
	}
}
