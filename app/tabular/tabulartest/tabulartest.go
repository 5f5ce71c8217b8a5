// Package tabulartest reads a workbook back for tests the way other
// programs do: its cells through Gnumeric's ssconvert, a spreadsheet program
// that trusts the file, and its parts (dimensions, sheet flags, document
// properties) straight from the zip. It is used by the tests of the
// packages that write XLSX.
package tabulartest

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sheet is one worksheet as read back.
type Sheet struct {
	Name       string
	Rows       [][]string // as ssconvert exports them to CSV, formatted as shown
	Raw        [][]string // the cells' values: a date as its serial number
	Dimension  string     // <dimension ref>
	FilterMode bool       // <sheetPr filterMode>
}

// Book is a workbook as read back.
type Book struct {
	Sheets []Sheet
	Core   Core
}

// Core are the document properties of docProps/core.xml.
type Core struct {
	Title    string `xml:"title"`
	Subject  string `xml:"subject"`
	Creator  string `xml:"creator"`
	Language string `xml:"language"`
	Created  string `xml:"created"`
	Modified string `xml:"modified"`
}

// Sheet returns the sheet named name, failing t when there is none.
func (b Book) Sheet(t testing.TB, name string) Sheet {
	t.Helper()
	for _, s := range b.Sheets {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no sheet %q in %d sheets", name, len(b.Sheets))
	return Sheet{}
}

// Read reads the workbook data. It fails t when ssconvert is missing (the
// test image installs gnumeric) or cannot read the file.
func Read(t testing.TB, data []byte) Book {
	t.Helper()
	if _, err := exec.LookPath("ssconvert"); err != nil {
		t.Fatal("ssconvert not found: install gnumeric (see .ci/run)")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	var b Book
	if err := xml.Unmarshal(part(t, zr, "docProps/core.xml"), &b.Core); err != nil {
		t.Fatalf("docProps/core.xml: %v", err)
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(part(t, zr, "xl/workbook.xml"), &wb); err != nil {
		t.Fatalf("xl/workbook.xml: %v", err)
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(part(t, zr, "xl/_rels/workbook.xml.rels"), &rels); err != nil {
		t.Fatalf("xl/_rels/workbook.xml.rels: %v", err)
	}
	target := map[string]string{}
	for _, r := range rels.Rel {
		p := r.Target
		if strings.HasPrefix(p, "/") {
			p = p[1:]
		} else {
			p = path.Join("xl", p)
		}
		target[r.ID] = p
	}
	for _, s := range wb.Sheets {
		var ws struct {
			SheetPr struct {
				FilterMode string `xml:"filterMode,attr"`
			} `xml:"sheetPr"`
			Dimension struct {
				Ref string `xml:"ref,attr"`
			} `xml:"dimension"`
		}
		if err := xml.Unmarshal(part(t, zr, target[s.RID]), &ws); err != nil {
			t.Fatalf("%s: %v", target[s.RID], err)
		}
		fm := ws.SheetPr.FilterMode
		b.Sheets = append(b.Sheets, Sheet{Name: s.Name, Dimension: ws.Dimension.Ref, FilterMode: fm == "1" || fm == "true"})
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "book.xlsx")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"preserve", "raw"} {
		out := filepath.Join(dir, format+"-%n.csv")
		cmd := exec.Command("nice", "-n", "19", "ssconvert", "-S", "-T", "Gnumeric_stf:stf_assistant",
			"-O", "format="+format+" separator=, eol=unix", in, out)
		cmd.Env = append(os.Environ(), "HOME="+dir) // gnumeric keeps settings there
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ssconvert: %v\n%s", err, out)
		}
		for i := range b.Sheets {
			raw, err := os.ReadFile(filepath.Join(dir, format+"-"+strconv.Itoa(i)+".csv"))
			if err != nil {
				t.Fatalf("ssconvert wrote no CSV for sheet %d (%s): %v", i, b.Sheets[i].Name, err)
			}
			r := csv.NewReader(bytes.NewReader(raw))
			r.FieldsPerRecord = -1
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatalf("ssconvert CSV of %s: %v", b.Sheets[i].Name, err)
			}
			if format == "raw" {
				b.Sheets[i].Raw = rows
			} else {
				b.Sheets[i].Rows = rows
			}
		}
	}
	return b
}

// Serial is the number a spreadsheet stores for the date day (YYYY-MM-DD):
// days since 1899-12-30. A date cell reads back raw as it; a text cell
// would read back as day.
func Serial(t testing.TB, day string) string {
	t.Helper()
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatalf("Serial(%q): %v", day, err)
	}
	return strconv.Itoa(int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24))
}

func part(t testing.TB, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("no part %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("part %s: %v", name, err)
	}
	return b
}

var w3cdtf = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// CheckParts asserts what every workbook Selfcheck writes must hold: each
// sheet's dimension equals want[sheet name] (every sheet must be listed),
// no sheet flagged as filtered, and document properties with Selfcheck as
// creator, title, subject, language and created = modified = when (UTC,
// as W3CDTF).
func CheckParts(t testing.TB, b Book, want map[string]string, props Core) {
	t.Helper()
	if len(b.Sheets) != len(want) {
		t.Errorf("%d sheets, want %d", len(b.Sheets), len(want))
	}
	for _, s := range b.Sheets {
		if s.Dimension != want[s.Name] {
			t.Errorf("sheet %s: dimension %q, want %q", s.Name, s.Dimension, want[s.Name])
		}
		if s.FilterMode {
			t.Errorf("sheet %s: filterMode set although nothing is filtered", s.Name)
		}
	}
	if props.Creator == "" {
		props.Creator = "Selfcheck"
	}
	if props.Modified == "" {
		props.Modified = props.Created
	}
	if b.Core != props {
		t.Errorf("docProps/core.xml: %+v, want %+v", b.Core, props)
	}
	if !w3cdtf.MatchString(b.Core.Created) {
		t.Errorf("created %q is not a W3CDTF UTC time", b.Core.Created)
	}
}
