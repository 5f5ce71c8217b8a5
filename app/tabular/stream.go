package tabular

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

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
// like the first with " (2)", " (3)"… and the header repeated. Nothing is
// written anywhere until WriteTo, so a failure before it leaves no partial
// file; Close releases the temporary files in every case.
type XLSXStream struct {
	f       *excelize.File
	sw      *excelize.StreamWriter
	name    string
	header  []string
	widths  []float64
	bold    int
	wrap    int
	sheets  int
	row     int // last row written on the current sheet
	maxRows int
}

// NewXLSXStream starts a workbook whose sheets are named sheet ("Sheet1"
// when empty) with a bold, frozen header row and optional column widths.
func NewXLSXStream(sheet string, header []string, widths []float64) (*XLSXStream, error) {
	if sheet == "" {
		sheet = "Sheet1"
	}
	x := &XLSXStream{f: excelize.NewFile(), name: sheet, header: header, widths: widths, maxRows: xlsxMaxRows}
	var err error
	x.bold, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		x.f.Close()
		return nil, fmt.Errorf("tabular: xlsx style: %w", err)
	}
	x.wrap, err = x.f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		x.f.Close()
		return nil, fmt.Errorf("tabular: xlsx style: %w", err)
	}
	if err := x.newSheet(); err != nil {
		x.f.Close()
		return nil, err
	}
	return x, nil
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
	name := x.name
	if x.sheets == 1 {
		if err := x.f.SetSheetName("Sheet1", name); err != nil {
			return fmt.Errorf("tabular: xlsx sheet: %w", err)
		}
	} else {
		name = fmt.Sprintf("%s (%d)", x.name, x.sheets)
		if _, err := x.f.NewSheet(name); err != nil {
			return fmt.Errorf("tabular: xlsx sheet: %w", err)
		}
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("tabular: xlsx: %w", err)
	}
	x.sw = sw
	for i, wd := range x.widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return fmt.Errorf("tabular: xlsx width: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("tabular: xlsx panes: %w", err)
	}
	if err := sw.SetRow("A1", cells(x.header, x.bold)); err != nil {
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
	cell, _ := excelize.CoordinatesToCellName(1, x.row)
	if err := x.sw.SetRow(cell, cells(row, x.wrap)); err != nil {
		return fmt.Errorf("tabular: xlsx row %d: %w", x.row, err)
	}
	return nil
}

// Sheets is the number of sheets so far.
func (x *XLSXStream) Sheets() int { return x.sheets }

// WriteTo finishes the workbook and writes it to w. Call it once.
func (x *XLSXStream) WriteTo(w io.Writer) (int64, error) {
	if err := x.sw.Flush(); err != nil {
		return 0, fmt.Errorf("tabular: xlsx: %w", err)
	}
	n, err := x.f.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("tabular: write xlsx: %w", err)
	}
	return n, nil
}

// Close releases the workbook's temporary files.
func (x *XLSXStream) Close() error { return x.f.Close() }
