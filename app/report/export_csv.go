package report

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"selfcheck/app/tabular"
)

// CSV writes one row per item with the columns of the XLSX Items sheet
// (theme, item, text, answer, note, legal basis, severity, weight, measure,
// owner, due, plan status, evidence count) and the standard clauses, headed in the report's
// language. It goes through tabular.WriteCSV: UTF-8 with a byte-order mark
// so that Excel opens the Chinese text correctly, and every cell that
// could start a formula neutralized. Nothing is written to w on failure.
func CSV(w io.Writer, d Data) error {
	if err := exportCheck(d, true); err != nil {
		return err
	}
	t := tabular.Table{Header: append(xItemHeader(d), d.T("export.col.refs"))}
	for _, x := range exportItems(d.Sheet) {
		cells := append(xItemCells(d, x), xRefs(d, x))
		row := make([]string, len(cells))
		for i, c := range cells {
			switch v := c.(type) {
			case string:
				row[i] = v
			case xDay:
				row[i] = string(v)
			case int:
				row[i] = strconv.Itoa(v)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	var buf bytes.Buffer
	if err := tabular.WriteCSV(&buf, t); err != nil {
		return fmt.Errorf("report: csv: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}
