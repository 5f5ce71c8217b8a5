package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"selfcheck"
	"selfcheck/app/checklist"
	"selfcheck/app/tabular/tabulartest"
)

func builtin(t *testing.T) *checklist.Catalog {
	t.Helper()
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestChecklistsList(t *testing.T) {
	cat := builtin(t)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"checklists", "list"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := map[string][]string{} // theme id -> fields of its line
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 {
			lines[f[1]] = f
		}
	}
	total := 0
	for _, cl := range cat.Checklists {
		total += len(cl.Items())
		n := cl.Counts()
		f := lines[cl.ID]
		want := []string{strconv.Itoa(len(cl.Items())), strconv.Itoa(n[checklist.Critical]), strconv.Itoa(n[checklist.High]), strconv.Itoa(n[checklist.Medium]), strconv.Itoa(n[checklist.Low])}
		if len(f) < 5 || f[2] != cl.Version || strings.Join(f[len(f)-5:], " ") != strings.Join(want, " ") {
			t.Errorf("%s: line %q, want version %s and counts %v", cl.ID, f, cl.Version, want)
		}
	}
	if !regexp.MustCompile(strconv.Itoa(len(cat.Checklists)) + ` themes\s+` + strconv.Itoa(total) + `\s`).MatchString(out.String()) {
		t.Errorf("no total line:\n%s", out.String())
	}
}

func TestChecklistsExport(t *testing.T) {
	cat := builtin(t)
	items := 0
	for _, cl := range cat.Checklists {
		items += len(cl.Items())
	}
	dir := t.TempDir()

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"checklists", "export", "--format", "csv"}, &out, &errOut); code != 0 {
		t.Fatalf("csv: exit %d %s", code, errOut.String())
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != items+1 || recs[0][7] != "item_id" {
		t.Fatalf("csv has %d records, want %d", len(recs), items+1)
	}
	first := cat.Checklists[0].Items()[0]
	if recs[1][7] != first.ID || recs[1][8] != first.Text.ZH || recs[1][9] != first.Text.EN {
		t.Errorf("first row: %q", recs[1][:10])
	}

	xlsx := filepath.Join(dir, "cat.xlsx")
	start := time.Now().Truncate(time.Second)
	if code := run(context.Background(), []string{"checklists", "export", "--format", "xlsx", "--out", xlsx}, &out, &errOut); code != 0 {
		t.Fatalf("xlsx: exit %d %s", code, errOut.String())
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("checklists")
	if err != nil || len(rows) != items+1 || rows[1][7] != first.ID {
		t.Errorf("xlsx: %d rows, err %v", len(rows), err)
	}
	checkCatalogXLSX(t, xlsx, cat.Table(), start)

	out.Reset()
	if code := run(context.Background(), []string{"checklists", "export", "--format", "md"}, &out, &errOut); code != 0 {
		t.Fatalf("md: exit %d %s", code, errOut.String())
	}
	for _, cl := range cat.Checklists {
		if !strings.Contains(out.String(), "## "+cl.Title.ZH+" / "+cl.Title.EN) {
			t.Errorf("markdown lacks the heading of %s", cl.ID)
		}
	}
	if got := strings.Count(out.String(), "\n#### `"); got != items {
		t.Errorf("markdown has %d items, want %d", got, items)
	}

	errOut.Reset()
	if code := run(context.Background(), []string{"checklists", "export", "--format", "pdf"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "use csv, xlsx or md") {
		t.Errorf("bad format: exit %d %s", code, errOut.String())
	}
}

// checkCatalogXLSX reads the exported catalog back with Gnumeric and
// compares every cell with the catalog's table: text as in the YAML, the
// weight as a number; the sheet declares its whole range and the document
// its properties, created during the export.
func checkCatalogXLSX(t *testing.T, path string, table [][]string, start time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b := tabulartest.Read(t, data)
	created, err := time.Parse(time.RFC3339, b.Core.Created)
	if err != nil || created.Before(start) || created.After(time.Now()) {
		t.Errorf("created %q, want the export's time (%v)", b.Core.Created, err)
	}
	n := len(checklist.TableHeader)
	last, _ := excelize.CoordinatesToCellName(n, len(table)+1)
	tabulartest.CheckParts(t, b, map[string]string{"checklists": "A1:" + last},
		tabulartest.Core{Title: "自查清单", Subject: "检查项目录", Language: "zh-CN", Created: b.Core.Created})
	sh := b.Sheet(t, "checklists")
	if len(sh.Raw) != len(table)+1 || !slices.Equal(sh.Raw[0], checklist.TableHeader) {
		t.Fatalf("xlsx read back: %d rows, header %q", len(sh.Raw), sh.Raw[0])
	}
	for i, want := range table {
		got := append(sh.Raw[i+1], make([]string, n)...)[:n]
		if !slices.Equal(got, want) {
			t.Errorf("row %d:\n got %q\nwant %q", i+2, got, want)
		}
	}
}
