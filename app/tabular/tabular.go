// Package tabular writes tables — a header and rows of text — as CSV or
// XLSX for people who work with the data in a spreadsheet. Every cell that a
// spreadsheet would read as a formula is neutralized, so text typed into
// Selfcheck can never run in someone's Excel (CSV/formula injection).
package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Table is what gets written.
type Table struct {
	Sheet  string // XLSX sheet name
	Header []string
	Rows   [][]string
	Widths []float64 // optional XLSX column widths, in characters
}

// Safe neutralizes a cell that starts like a formula (= + - @, or a tab or
// carriage return that some spreadsheets skip before one) by prefixing an
// apostrophe, the convention spreadsheets show as text. It first drops
// bidirectional controls (StripBidi): they would reorder what the cell
// shows, and one in front would hide a formula from the check.
func Safe(s string) string {
	s = StripBidi(s)
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// WriteCSV writes t as UTF-8 CSV with a byte-order mark, so Excel opens the
// Chinese text correctly.
func WriteCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(safeRow(t.Header)); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	for _, r := range t.Rows {
		if err := cw.Write(safeRow(r)); err != nil {
			return fmt.Errorf("tabular: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	return nil
}

func safeRow(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = Safe(c)
	}
	return out
}

// WriteXLSX writes t as one worksheet with a bold, frozen header row and
// wrapped text. Cells are written as strings, never as formulas.
func WriteXLSX(w io.Writer, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	name := t.Sheet
	if name == "" {
		name = "Sheet1"
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return fmt.Errorf("tabular: xlsx sheet: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("tabular: xlsx: %w", err)
	}
	for i, wd := range t.Widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("tabular: xlsx width: %w", err)
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		return fmt.Errorf("tabular: xlsx style: %w", err)
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return fmt.Errorf("tabular: xlsx style: %w", err)
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("tabular: xlsx panes: %w", err)
	}
	if err := sw.SetRow("A1", cells(t.Header, bold)); err != nil {
		return fmt.Errorf("tabular: xlsx header: %w", err)
	}
	for i, r := range t.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells(r, wrap)); err != nil {
			return fmt.Errorf("tabular: xlsx row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("tabular: xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("tabular: write xlsx: %w", err)
	}
	return nil
}

// cells makes string cells: excelize would read a bare string starting with
// "=" as text anyway, but Safe keeps CSV and XLSX exports identical.
func cells(r []string, style int) []any {
	out := make([]any, len(r))
	for i, c := range r {
		out[i] = excelize.Cell{StyleID: style, Value: strings.ToValidUTF8(Safe(c), "\uFFFD")}
	}
	return out
}

// IsBidiControl reports whether r is a bidirectional formatting control:
// the embeddings and overrides U+202A–U+202E, the isolates U+2066–U+2069,
// and the marks U+200E, U+200F and U+061C. In text a user typed they make
// the rest of a line read in another order than it is stored (issue 19),
// so documents people read (PDF, CSV, XLSX) leave them out.
func IsBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// StripBidi returns s without its bidirectional controls (IsBidiControl).
func StripBidi(s string) string {
	if !strings.ContainsFunc(s, IsBidiControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, s)
}
