package checklist

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// TableHeader names the columns of Table.
var TableHeader = []string{
	"theme_id", "theme_version", "theme_zh", "theme_en", "section_id", "section_zh", "section_en",
	"item_id", "text_zh", "text_en", "guidance_zh", "guidance_en", "basis_zh", "basis_en",
	"evidence_zh", "evidence_en", "weight", "severity", "applies_to", "refs",
}

// TableWidths are spreadsheet column widths matching TableHeader.
var TableWidths = []float64{14, 9, 16, 22, 18, 18, 22, 28, 50, 50, 60, 60, 40, 40, 40, 40, 7, 9, 20, 30}

// Table flattens the catalog into one row per item, both languages side by
// side, for reviewers who read it in a spreadsheet.
func (c *Catalog) Table() [][]string {
	var rows [][]string
	for _, cl := range c.Checklists {
		for _, s := range cl.Sections {
			for _, it := range s.Items {
				refs := make([]string, len(it.Refs))
				for i, r := range it.Refs {
					refs[i] = r.String()
				}
				tags := make([]string, len(it.AppliesTo))
				for i, t := range it.AppliesTo {
					tags[i] = string(t)
				}
				rows = append(rows, []string{
					cl.ID, cl.Version, cl.Title.ZH, cl.Title.EN, s.ID, s.Title.ZH, s.Title.EN,
					it.ID, it.Text.ZH, it.Text.EN, it.Guidance.ZH, it.Guidance.EN,
					cl.BasisText(it, "zh"), cl.BasisText(it, "en"), it.Evidence.ZH, it.Evidence.EN,
					fmt.Sprint(it.Weight), string(it.Severity), strings.Join(tags, " "), strings.Join(refs, " "),
				})
			}
		}
	}
	return rows
}

// Counts returns how many items the checklist has of each severity.
func (c *Checklist) Counts() map[Severity]int {
	out := map[Severity]int{}
	for _, it := range c.Items() {
		out[it.Severity]++
	}
	return out
}

// WriteMarkdown writes the catalog as one readable document: a heading per
// theme and section, and per item its text, guidance, basis, evidence and
// weighting, in Chinese with the English beneath.
func (c *Catalog) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	total := 0
	for _, cl := range c.Checklists {
		total += len(cl.Items())
	}
	p("# Selfcheck 自查清单目录 / Checklist catalog\n\n%d themes, %d items.\n", len(c.Checklists), total)
	for _, cl := range c.Checklists {
		p("\n## %s / %s\n\n`%s` version %s\n\n", cl.Title.ZH, cl.Title.EN, cl.ID, cl.Version)
		if cl.Description.ZH != "" {
			p("%s\n\n%s\n", mdText(cl.Description.ZH), mdText(cl.Description.EN))
		}
		for _, s := range cl.Sections {
			p("\n### %s / %s\n", mdText(s.Title.ZH), mdText(s.Title.EN))
			for _, it := range s.Items {
				p("\n#### `%s` %s\n\n", it.ID, mdText(it.Text.ZH))
				if it.Text.EN != "" {
					p("*%s*\n\n", mdText(it.Text.EN))
				}
				p("- 权重 Weight: %d · 严重程度 Severity: %s", it.Weight, it.Severity)
				if len(it.AppliesTo) > 0 {
					names := make([]string, len(it.AppliesTo))
					for i, t := range it.AppliesTo {
						names[i] = string(t)
					}
					p(" · 适用 Applies to: %s", strings.Join(names, ", "))
				}
				p("\n- 依据 Basis: %s\n", mdText(cl.BasisText(it, "zh")))
				if len(it.Refs) > 0 {
					p("- 国标对照 Standards: %s\n", mdText(RefsText(it.Refs, "zh")))
				}
				p("- 检查方法 Guidance: %s\n", mdText(it.Guidance.ZH))
				if it.Guidance.EN != "" {
					p("  - %s\n", mdText(it.Guidance.EN))
				}
				p("- 证据 Evidence: %s\n", mdText(it.Evidence.ZH))
				if it.Evidence.EN != "" {
					p("  - %s\n", mdText(it.Evidence.EN))
				}
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("checklist: write markdown: %w", err)
	}
	return nil
}

// mdText keeps a value on one line so it cannot break the document's structure.
func mdText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
