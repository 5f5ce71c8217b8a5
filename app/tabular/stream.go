package tabular

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

// CSVStream writes a table row by row, for tables too large to hold: UTF-8
// with a byte-order mark, every cell neutralized like WriteCSV's.
type CSVStream struct {
	bw *bufio.Writer
	cw *csv.Writer
}

// NewCSVStream writes the byte-order mark and the header to w (buffered:
// nothing may reach w before the first Flush or a full buffer).
func NewCSVStream(w io.Writer, header []string) (*CSVStream, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	s := &CSVStream{bw: bw, cw: csv.NewWriter(bw)}
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return nil, fmt.Errorf("tabular: write csv: %w", err)
	}
	if err := s.Write(header); err != nil {
		return nil, err
	}
	return s, nil
}

// Write adds one row.
func (s *CSVStream) Write(row []string) error {
	if err := s.cw.Write(safeRow(row)); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	return nil
}

// Flush writes what is buffered to the underlying writer.
func (s *CSVStream) Flush() error {
	s.cw.Flush()
	if err := s.cw.Error(); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("tabular: write csv: %w", err)
	}
	return nil
}

// xlsxMaxRows is the most rows a worksheet holds (Excel's limit).
const xlsxMaxRows = excelize.TotalRows

// XLSXStream writes a workbook row by row through excelize's StreamWriter,
// which keeps rows in a temporary file rather than in memory. A sheet that
// reaches Excel's limit of 1,048,576 rows continues on a new sheet, named
// like the first with " (2)", " (3)"… and the header repeated. Columns are
// written as their Kind says (numbers, dates, text without a guard). Nothing
// is written anywhere until WriteTo, so a failure before it leaves no
// partial file; Close releases the temporary files in every case.
type XLSXStream struct {
	f       *excelize.File
	sw      *excelize.StreamWriter
	t       Table
	bold    int
	wrap    int
	date    int
	sheets  int
	row     int // last row written on the current sheet
	maxRows int
	cells   []any
}

// NewXLSXStream starts a workbook from t: its sheets are named t.Sheet
// ("Sheet1" when empty), with t.Header as a bold, frozen header row, t.Widths
// and t.Kinds for the columns and t.Props as document properties; t.Rows, if
// any, are written first.
func NewXLSXStream(t Table) (*XLSXStream, error) {
	if t.Sheet == "" {
		t.Sheet = "Sheet1"
	}
	x := &XLSXStream{f: excelize.NewFile(), t: t, maxRows: xlsxMaxRows}
	if err := x.start(); err != nil {
		x.f.Close()
		return nil, err
	}
	for _, r := range t.Rows {
		if err := x.Write(r); err != nil {
			x.f.Close()
			return nil, err
		}
	}
	return x, nil
}

func (x *XLSXStream) start() error {
	var err error
	x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		return fmt.Errorf("tabular: xlsx style: %w", err)
	}
	top := &excelize.Alignment{WrapText: true, Vertical: "top"}
	if x.wrap, err = x.f.NewStyle(&excelize.Style{Alignment: top}); err != nil {
		return fmt.Errorf("tabular: xlsx style: %w", err)
	}
	format := DateFormat
	if x.date, err = x.f.NewStyle(&excelize.Style{Alignment: top, CustomNumFmt: &format}); err != nil {
		return fmt.Errorf("tabular: xlsx style: %w", err)
	}
	if err := SetProps(x.f, x.t.Props); err != nil {
		return err
	}
	return x.newSheet()
}

// newSheet finishes the current sheet, if any, and starts the next one with
// the header.
func (x *XLSXStream) newSheet() error {
	if x.sw != nil {
		if err := x.sw.Flush(); err != nil {
			return fmt.Errorf("tabular: xlsx: %w", err)
		}
	}
	x.sheets++
	name := x.t.Sheet
	if x.sheets == 1 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("tabular: xlsx sheet: %w", err)
		}
	} else {
		name = fmt.Sprintf("%s (%d)", x.t.Sheet, x.sheets)
		if _, err := x.f.NewSheet(name); err != nil {
			return fmt.Errorf("tabular: xlsx sheet: %w", err)
		}
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("tabular: xlsx: %w", err)
	}
	x.sw = sw
	for i, wd := range x.t.Widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("tabular: xlsx width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("tabular: xlsx panes: %w", err)
	}
	header := make([]any, len(x.t.Header))
	for i, h := range x.t.Header {
		header[i] = excelize.Cell{StyleID: x.bold, Value: XLSXText(h)}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return fmt.Errorf("tabular: xlsx header: %w", err)
	}
	x.row = 1
	return nil
}

// Write adds one row.
func (x *XLSXStream) Write(row []string) error {
	if x.row >= x.maxRows {
		if err := x.newSheet(); err != nil {
			return err
		}
	}
	x.row++
	if cap(x.cells) < len(row) {
		x.cells = make([]any, len(row))
	}
	cells := x.cells[:len(row)]
	for i, s := range row {
		k := Text
		if i < len(x.t.Kinds) {
			k = x.t.Kinds[i]
		}
		v := xlsxValue(s, k)
		style := x.wrap
		if _, ok := v.(time.Time); ok {
			style = x.date
		}
		cells[i] = excelize.Cell{StyleID: style, Value: v}
	}
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	if err := x.sw.SetRow(cell, cells); err != nil {
		return fmt.Errorf("tabular: xlsx row %d: %w", x.row, err)
	}
	return nil
}

// Sheets is the number of sheets so far.
func (x *XLSXStream) Sheets() int { return x.sheets }

// WriteTo finishes the workbook and writes it to w. Call it once. The
// workbook goes through a temporary file first, where FinishXLSX sets each
// sheet's dimension, which the stream writer wrote before knowing it.
func (x *XLSXStream) WriteTo(w io.Writer) (int64, error) {
	if err := x.sw.Flush(); err != nil {
		return 0, fmt.Errorf("tabular: xlsx: %w", err)
	}
	tmp, err := os.CreateTemp("", "selfcheck-xlsx-")
	if err != nil {
		return 0, fmt.Errorf("tabular: xlsx: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	size, err := x.f.WriteTo(tmp)
	if err != nil {
		return 0, fmt.Errorf("tabular: write xlsx: %w", err)
	}
	cw := &countingWriter{w: w}
	if err := FinishXLSX(cw, tmp, size); err != nil {
		return cw.n, err
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Close releases the workbook's temporary files.
func (x *XLSXStream) Close() error { return x.f.Close() }
