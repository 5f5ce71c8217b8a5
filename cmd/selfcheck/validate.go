package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"selfcheck"
	"selfcheck/app/checklist"
)

// validateChecklists checks a directory of checklist files (or, without
// DIR, the catalog built into the binary): a summary line per file when all
// is well (exit 0), every problem as file:line: message otherwise (exit 1).
func validateChecklists(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 {
		fmt.Fprintln(stderr, "usage: selfcheck checklists validate [DIR]")
		return 2
	}
	dir := ""
	if len(args) == 1 {
		dir = args[0]
	}
	_, sums, ok := loadOrReport(dir, stderr)
	if !ok {
		return 1
	}
	for _, s := range sums {
		fmt.Fprintf(stdout, "%s: ok — %s v%s «%s», %d sections, %d items\n",
			s.File, s.Checklist.ID, s.Checklist.Version, s.Checklist.Title.ZH, s.Sections, s.Items)
	}
	return 0
}

func joinPath(dir, file string) string {
	if file == "." || file == "" {
		return dir
	}
	if dir == "." {
		return file
	}
	return dir + string(os.PathSeparator) + file
}

// loadChecklists loads the catalog from dir, or the built-in one when dir is
// empty. Problems and summaries name files as the user typed the directory.
func loadChecklists(dir string) (*checklist.Catalog, []checklist.FileSummary, error) {
	if dir == "" {
		return checklist.Load(selfcheck.Checklists, "checklists")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, checklist.Problems{{File: dir, Msg: "not a directory"}}
	}
	cat, sums, err := checklist.Load(os.DirFS(dir), ".")
	var probs checklist.Problems
	if errors.As(err, &probs) {
		for i := range probs {
			probs[i].File = joinPath(dir, probs[i].File)
		}
	}
	for i := range sums {
		sums[i].File = joinPath(dir, sums[i].File)
	}
	return cat, sums, err
}
