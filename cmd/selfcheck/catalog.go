package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/tabular"
)

// checklistsCmd runs `selfcheck checklists validate|list|export|diff`.
func checklistsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return validateChecklists(args[1:], stdout, stderr)
	case "list":
		return listChecklists(args[1:], stdout, stderr)
	case "export":
		return exportChecklists(args[1:], stdout, stderr)
	case "diff":
		return diffChecklists(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "selfcheck: unknown checklists command %q\n\n%s", args[0], usage)
	return 2
}

// loadOrReport loads the catalog from dir (built-in when empty), printing
// every problem when it is invalid.
func loadOrReport(dir string, stderr io.Writer) (*checklist.Catalog, []checklist.FileSummary, bool) {
	cat, sums, err := loadChecklists(dir)
	var probs checklist.Problems
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			fmt.Fprintln(stderr, p.String())
		}
		fmt.Fprintf(stderr, "%d problem(s) found\n", len(probs))
		return nil, nil, false
	case err != nil:
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return nil, nil, false
	}
	return cat, sums, true
}

// listChecklists prints each theme with its version and item counts by severity.
func listChecklists(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: selfcheck checklists list [DIR]")
		return 2
	}
	dir := ""
	if len(args) == 1 {
		dir = args[0]
	}
	cat, _, ok := loadOrReport(dir, stderr)
	if !ok {
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tID\tVERSION\tTITLE\tITEMS\tCRITICAL\tHIGH\tMEDIUM\tLOW")
	total := map[checklist.Severity]int{}
	items := 0
	for _, cl := range cat.Checklists {
		n := cl.Counts()
		order := "-"
		if cl.Order > 0 {
			order = fmt.Sprint(cl.Order)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s / %s\t%d\t%d\t%d\t%d\t%d\n", order, cl.ID, cl.Version, cl.Title.ZH, cl.Title.EN,
			len(cl.Items()), n[checklist.Critical], n[checklist.High], n[checklist.Medium], n[checklist.Low])
		for s, k := range n {
			total[s] += k
		}
		items += len(cl.Items())
	}
	fmt.Fprintf(tw, "\t\t\t%d themes\t%d\t%d\t%d\t%d\t%d\n", len(cat.Checklists), items,
		total[checklist.Critical], total[checklist.High], total[checklist.Medium], total[checklist.Low])
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	return 0
}

// exportChecklists writes the whole catalog as CSV, XLSX or Markdown.
func exportChecklists(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("checklists export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "csv", "csv, xlsx or md")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "usage: selfcheck checklists export [--format csv|xlsx|md] [--out FILE] [DIR]")
		return 2
	}
	if *format != "csv" && *format != "xlsx" && *format != "md" {
		fmt.Fprintf(stderr, "selfcheck: --format %q: use csv, xlsx or md\n", *format)
		return 2
	}
	cat, _, ok := loadOrReport(fs.Arg(0), stderr)
	if !ok {
		return 1
	}
	w := stdout
	var f *os.File
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintf(stderr, "selfcheck: %v\n", err)
			return 1
		}
		w = f
	}
	t := tabular.Table{Sheet: "checklists", Header: checklist.TableHeader, Rows: cat.Table(),
		Widths: checklist.TableWidths, Kinds: make([]tabular.Kind, len(checklist.TableHeader)),
		// Both languages side by side; Chinese is the catalog's first.
		Props: tabular.Props{Title: "自查清单", Subject: "检查项目录", Language: "zh-CN", Created: time.Now()}}
	for i, h := range checklist.TableHeader {
		if h == "weight" {
			t.Kinds[i] = tabular.Number
		}
	}
	var err error
	switch *format {
	case "csv":
		err = tabular.WriteCSV(w, t)
	case "xlsx":
		err = tabular.WriteXLSX(w, t)
	case "md":
		err = cat.WriteMarkdown(w)
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "selfcheck: export: %v\n", err)
		return 1
	}
	return 0
}
