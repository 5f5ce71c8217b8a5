package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Kind is what a column holds, for the XLSX: the CSV writes every kind as
// the text it is given.
type Kind int

// The kinds of column. A value that does not parse as its kind is written
// as text, so nothing is lost; an empty one leaves the cell empty.
const (
	Text   Kind = iota
	Number      // a decimal number, written as a number cell
	Date        // YYYY-MM-DD, written as a date cell formatted yyyy-mm-dd
)

// DateFormat and DateTimeFormat are the number formats of date cells.
const (
	DateFormat     = "yyyy-mm-dd"
	DateTimeFormat = "yyyy-mm-dd hh:mm"
)

// Props are a workbook's document properties (docProps/core.xml).
type Props struct {
	Title, Subject string
	Language       string    // zh-CN or en
	Created        time.Time // the generation time, also the modification time
}

// SetProps sets f's document properties to p with Selfcheck as creator, in
// place of the library's defaults (its author, a creation date of 2006).
func SetProps(f *excelize.File, p Props) error {
	when := p.Created
	if when.IsZero() {
		when = time.Now()
	}
	stamp := when.UTC().Format(time.RFC3339)
	err := f.SetDocProps(&excelize.DocProperties{
		Title: p.Title, Subject: p.Subject, Creator: "Selfcheck", LastModifiedBy: "Selfcheck",
		Language: p.Language, Created: stamp, Modified: stamp,
	})
	if err != nil {
		return fmt.Errorf("tabular: xlsx properties: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "Selfcheck"}); err != nil {
		return fmt.Errorf("tabular: xlsx properties: %w", err)
	}
	return nil
}

// xlsxValue is the cell value of s in a column of kind k.
func xlsxValue(s string, k Kind) any {
	s = XLSXText(s)
	if s == "" {
		return nil
	}
	switch k {
	case Number:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v
		}
	case Date:
		if d, err := time.Parse("2006-01-02", s); err == nil {
			return d
		}
	}
	return s
}

// FinishXLSX copies the workbook src (as excelize wrote it, size bytes) to
// dst with every worksheet's head corrected:
//
//   - <dimension ref> is set to the range the sheet's cells span. excelize
//     writes "A1" unless told otherwise, and its stream writer writes the
//     dimension before the first row, so a streamed sheet cannot know it;
//     readers that trust it (csvkit's in2csv, openpyxl read-only) then read
//     one cell.
//   - filterMode is dropped from <sheetPr>: excelize's AutoFilter always
//     sets it, which tells a reader the sheet is filtered although no
//     criterion hides a row. Selfcheck never writes a filtered sheet.
//
// Parts other than worksheets are copied as they are, still compressed.
// The range is read from the cells' own references (two passes over the
// part), so it is right whatever wrote them; the result is deterministic.
func FinishXLSX(dst io.Writer, src io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return fmt.Errorf("tabular: finish xlsx: %w", err)
	}
	zw := zip.NewWriter(dst)
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") && !strings.Contains(f.Name[len("xl/worksheets/"):], "/") {
			err = finishSheet(zw, f)
		} else {
			err = copyRaw(zw, f)
		}
		if err != nil {
			return fmt.Errorf("tabular: finish xlsx %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("tabular: finish xlsx: %w", err)
	}
	return nil
}

func copyRaw(zw *zip.Writer, f *zip.File) error {
	r, err := f.OpenRaw()
	if err != nil {
		return err
	}
	fh := f.FileHeader
	w, err := zw.CreateRaw(&fh)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	return err
}

var (
	cellRef    = []byte(`<c r="`)
	sheetData  = []byte("<sheetData")
	dimension  = regexp.MustCompile(`<dimension ref="[^"]*"\s*(?:/>|>\s*</dimension>)`)
	filterMode = regexp.MustCompile(`\sfilterMode="(?:1|true)"`)
)

// finishSheet writes worksheet f with its dimension and filter flag set
// right.
func finishSheet(zw *zip.Writer, f *zip.File) error {
	ref, err := usedRange(f)
	if err != nil {
		return err
	}
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified})
	if err != nil {
		return err
	}
	// The head, before <sheetData, is a few hundred bytes of settings: no
	// cell text can be mistaken for an element there.
	br := bufio.NewReaderSize(r, 64<<10)
	var head []byte
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		head = append(head, b)
		if bytes.HasSuffix(head, sheetData) || len(head) > 1<<20 {
			break
		}
	}
	head = filterMode.ReplaceAll(head, nil)
	dim := []byte(`<dimension ref="` + ref + `"/>`)
	if dimension.Match(head) {
		head = dimension.ReplaceAllLiteral(head, dim)
	} else if i := bytes.Index(head, []byte("<sheetViews")); i >= 0 {
		head = append(head[:i:i], append(dim, head[i:]...)...)
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err = io.Copy(w, br)
	return err
}

// usedRange is the range spanned by the cells of worksheet f, or A1 when it
// has none.
func usedRange(f *zip.File) (string, error) {
	r, err := f.Open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	minC, minR, maxC, maxR := math.MaxInt, math.MaxInt, 0, 0
	matched := 0
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if b != cellRef[matched] {
			matched = 0
			if b != cellRef[0] {
				continue
			}
		}
		matched++
		if matched < len(cellRef) {
			continue
		}
		matched = 0
		name, err := br.ReadString('"')
		if err != nil {
			return "", err
		}
		c, r, err := excelize.CellNameToCoordinates(strings.TrimSuffix(name, `"`))
		if err != nil {
			return "", err
		}
		minC, minR, maxC, maxR = min(minC, c), min(minR, r), max(maxC, c), max(maxR, r)
	}
	if maxR == 0 {
		return "A1", nil
	}
	from, _ := excelize.CoordinatesToCellName(minC, minR)
	to, _ := excelize.CoordinatesToCellName(maxC, maxR)
	if from == to {
		return from, nil
	}
	return from + ":" + to, nil
}
