package report

import (
	"github.com/xuri/excelize/v2"

	"selfcheck/app/checklist"
	"selfcheck/app/tabular"
)

// The standard clauses an item satisfies (国标对照) in each output. They sit
// in this file, called once from each writer, so that the writers' own
// layout can change without touching them.

// jsonRef is one standard clause in the JSON export, with the standard's
// title in both languages so a reader needs no table to decode it.
type jsonRef struct {
	Standard string         `json:"standard"`
	Title    checklist.Text `json:"title"`
	Clause   string         `json:"clause"`
}

func jsonRefs(refs []checklist.Ref) []jsonRef {
	out := []jsonRef{}
	for _, r := range refs {
		st, _ := checklist.StandardByID(r.Standard)
		out = append(out, jsonRef{Standard: r.Standard, Title: st.Title, Clause: r.Clause})
	}
	return out
}

// xRefs is the CSV and XLSX cell: the clauses on one line.
func xRefs(d Data, x exportItem) string {
	return checklist.RefsText(x.it.Refs, d.Lang)
}

// refsColumn writes the clauses as column col of the Items sheet, right of
// its table, headed and styled like it.
func (b *xBook) refsColumn(sheet string, col int, items []exportItem) error {
	if err := b.f.SetCellValue(sheet, xCell(col, 1), tabular.XLSXText(b.d.T("export.col.refs"))); err != nil {
		return err
	}
	if err := b.style(sheet, col, 1, col, 1, b.header); err != nil {
		return err
	}
	for i, x := range items {
		if err := b.f.SetCellValue(sheet, xCell(col, i+2), tabular.XLSXText(xRefs(b.d, x))); err != nil {
			return err
		}
	}
	if len(items) > 0 {
		if err := b.style(sheet, col, 2, col, len(items)+1, b.body); err != nil {
			return err
		}
	}
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return err
	}
	return b.f.SetColWidth(sheet, name, name, 40)
}

// withRefs adds the item's clauses under its text in the PDF.
func (c *doc) withRefs(it checklist.Item, text string) string {
	if r := checklist.RefsText(it.Refs, c.d.Lang); r != "" {
		text += "\n" + c.t("report.refs", r)
	}
	return text
}

// refProps are the finding's clauses as OSCAL props in Selfcheck's
// namespace, one "standard-clause" per clause, valued "standard/clause"
// (e.g. gbt-35273/5.4) as the catalog writes it.
func (b *oscalBuilder) refProps(refs []checklist.Ref) []oscalProp {
	var out []oscalProp
	for _, r := range refs {
		out = append(out, b.prop("standard-clause", r.String())...)
	}
	return out
}
