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
)

// Table is what gets written.
type Table struct {
	Sheet  string // XLSX sheet name
	Header []string
	Rows   [][]string
	Widths []float64 // optional XLSX column widths, in characters
	Kinds  []Kind    // optional XLSX column kinds (Text when missing)
	Props  Props     // XLSX document properties
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

// WriteXLSX writes t as one worksheet (more past Excel's row limit) with a
// bold, frozen header row and wrapped text, as XLSXStream does. Text cells
// hold what the user typed, without Safe's guard: they never run as
// formulas.
func WriteXLSX(w io.Writer, t Table) error {
	x, err := NewXLSXStream(t)
	if err != nil {
		return err
	}
	defer x.Close()
	_, err = x.WriteTo(w)
	return err
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
