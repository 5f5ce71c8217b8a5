package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"selfcheck/app/checklist"
)

// builtinCatalog names the catalog compiled into the binary on the diff
// command line.
const builtinCatalog = "builtin"

// diffWords are the headings and field names of `checklists diff`, per
// --lang. Each language is whole on its own so one output never mixes them.
var diffWords = map[string]map[string]string{
	"zh": {
		"themes": "主题版本", "added": "新增检查项", "removed": "删除检查项", "changed": "变更检查项", "none": "无",
		"theme.added": "新增主题", "theme.removed": "删除主题",
		"theme": "所属主题", "section": "所属分节", "text": "检查项内容", "guidance": "检查方法", "basis": "依据",
		"evidence": "证据", "weight": "权重", "severity": "严重程度", "applies_to": "适用范围",
		"evidence_required": "须附证据", "refs": "国标对照", "sep": "、", "summary": "新增 %d 项，删除 %d 项，变更 %d 项",
	},
	"en": {
		"themes": "Theme versions", "added": "Added items", "removed": "Removed items", "changed": "Changed items", "none": "none",
		"theme.added": "new theme", "theme.removed": "theme removed",
		"theme": "theme", "section": "section", "text": "text", "guidance": "guidance", "basis": "basis",
		"evidence": "evidence", "weight": "weight", "severity": "severity", "applies_to": "applies to",
		"evidence_required": "evidence required", "refs": "standards mapping", "sep": ", ", "summary": "%d added, %d removed, %d changed",
	},
}

// diffChecklists prints the items added, removed and changed between two
// catalogs: `selfcheck checklists diff [--lang zh|en|plain] OLD [NEW]`, each
// a directory of checklist files or "builtin"; NEW defaults to the built-in
// catalog.
func diffChecklists(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("checklists diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "zh", "zh, en, or plain (tab-separated, for scripts)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		fmt.Fprintln(stderr, "usage: selfcheck checklists diff [--lang zh|en|plain] OLD [NEW]   (a directory or \"builtin\"; NEW defaults to builtin)")
		return 2
	}
	if _, ok := diffWords[*lang]; !ok && *lang != "plain" {
		fmt.Fprintf(stderr, "selfcheck: --lang %q: use zh, en or plain\n", *lang)
		return 2
	}
	sides := []string{fs.Arg(0), builtinCatalog}
	if fs.NArg() == 2 {
		sides[1] = fs.Arg(1)
	}
	var cats [2]*checklist.Catalog
	for i, side := range sides {
		dir := side
		if side == builtinCatalog {
			dir = ""
		}
		cat, _, ok := loadOrReport(dir, stderr)
		if !ok {
			return 1
		}
		cats[i] = cat
	}
	d := checklist.Diff(cats[0], cats[1])
	w := bufio.NewWriter(stdout)
	if *lang == "plain" {
		writePlainDiff(w, d)
	} else {
		writeDiff(w, d, *lang)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "selfcheck: %v\n", err)
		return 1
	}
	return 0
}

// writePlainDiff writes one tab-separated line per change: kind, theme,
// item id and, for a changed item, the fields that differ.
func writePlainDiff(w io.Writer, d checklist.CatalogDiff) {
	for _, t := range d.Themes {
		fmt.Fprintf(w, "theme\t%s\t%s\t%s\n", t.ID, orDash(t.Old), orDash(t.New))
	}
	for _, x := range d.Added {
		fmt.Fprintf(w, "added\t%s\t%s\n", x.Theme.ID, x.Item.ID)
	}
	for _, x := range d.Removed {
		fmt.Fprintf(w, "removed\t%s\t%s\n", x.Theme.ID, x.Item.ID)
	}
	for _, x := range d.Changed {
		fmt.Fprintf(w, "changed\t%s\t%s\t%s\n", x.Theme.ID, x.Item.ID, strings.Join(x.Fields, ","))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeDiff writes the diff for a reader, every heading, field name and
// item text in lang.
func writeDiff(w io.Writer, d checklist.CatalogDiff, lang string) {
	words := diffWords[lang]
	fmt.Fprintf(w, words["summary"]+"\n", len(d.Added), len(d.Removed), len(d.Changed))
	fmt.Fprintf(w, "\n## %s\n", words["themes"])
	if len(d.Themes) == 0 {
		fmt.Fprintf(w, "%s\n", words["none"])
	}
	for _, t := range d.Themes {
		switch {
		case t.Old == "":
			fmt.Fprintf(w, "- %s: %s %s\n", t.ID, words["theme.added"], t.New)
		case t.New == "":
			fmt.Fprintf(w, "- %s: %s (%s)\n", t.ID, words["theme.removed"], t.Old)
		default:
			fmt.Fprintf(w, "- %s: %s → %s\n", t.ID, t.Old, t.New)
		}
	}
	list := func(heading string, items []checklist.DiffItem) {
		fmt.Fprintf(w, "\n## %s (%d)\n", words[heading], len(items))
		if len(items) == 0 {
			fmt.Fprintf(w, "%s\n", words["none"])
		}
		for _, x := range items {
			fmt.Fprintf(w, "- %s · %s · %s\n", x.Theme.Title.In(lang), x.Item.ID, x.Item.Text.In(lang))
			if len(x.Fields) > 0 {
				names := make([]string, len(x.Fields))
				for i, f := range x.Fields {
					names[i] = words[f]
				}
				fmt.Fprintf(w, "  %s\n", strings.Join(names, words["sep"]))
			}
		}
	}
	list("added", d.Added)
	list("removed", d.Removed)
	list("changed", d.Changed)
}
