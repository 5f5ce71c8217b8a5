package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"selfcheck/app/tabular"
)

// rectificationLedger is the rectification report's data as a table (整改台账):
// one row per gap with its finding, its plan, the progress log, the
// rectification files and the auditor's verification, for the XLSX and CSV
// a compliance team keeps its ledger in.
func rectificationLedger(d Data) tabular.Table {
	t := func(k string) string { return d.T(k) }
	loc := exportZone(d)
	lang := "zh-CN"
	if d.Lang == "en" {
		lang = "en"
	}
	today := exportToday(d)
	tab := tabular.Table{
		Sheet: t("rectification.ledger"),
		Header: []string{t("export.col.theme"), t("export.col.item_id"), t("export.col.text"), t("export.col.answer"), t("export.col.note"),
			t("export.col.measure"), t("export.col.owner"), t("export.col.due"), t("export.col.plan_status"), t("export.col.overdue"),
			t("rectification.col.done_on"), t("rectification.col.verified_on"), t("rectification.col.review_comment"),
			t("rectify.log"), t("rectification.col.files")},
		Kinds:  []tabular.Kind{tabular.Text, tabular.Text, tabular.Text, tabular.Text, tabular.Text, tabular.Text, tabular.Text, tabular.Date, tabular.Text, tabular.Text, tabular.Date, tabular.Date},
		Widths: []float64{20, 16, 50, 12, 40, 40, 14, 12, 12, 8, 12, 12, 30, 60, 60},
		Props: tabular.Props{Title: t("rectification.title") + " - " + tabular.XLSXText(d.Sheet.FirmName), Subject: tabular.XLSXText(d.Sheet.FirmName),
			Language: lang, Created: d.GeneratedAt},
	}
	for _, x := range exportGaps(d.Sheet) {
		var log, files []string
		for _, e := range d.PlanLog[x.it.ID] {
			line := e.At.In(loc).Format("2006-01-02") + " " + e.By + " " + t("rectify.entry."+string(e.Kind))
			if e.Text != "" {
				line += d.T("rectification.said", e.Text)
			}
			log = append(log, line)
		}
		for _, f := range d.PlanFiles[x.it.ID] {
			files = append(files, d.T("report.evidence_line", f.Name, sizeText(f.Size), f.SHA256))
		}
		overdue := x.hasPlan && x.plan.Overdue(today)
		tab.Rows = append(tab.Rows, []string{x.cl.Title.In(d.Lang), x.it.ID, x.it.Text.In(d.Lang), t(answerKey(x.answer.Value)), x.answer.Note,
			x.plan.Measure, x.plan.Owner, x.plan.Due, xPlanStatus(d, x), xYesNo(d, overdue),
			x.plan.DoneOn, x.plan.VerifiedOn, x.plan.ReviewComment, strings.Join(log, "\n"), strings.Join(files, "\n")})
	}
	return tab
}

// RectificationXLSX writes the rectification ledger of d as a workbook.
func RectificationXLSX(w io.Writer, d Data) error {
	if err := exportCheck(d, true); err != nil {
		return err
	}
	if err := tabular.WriteXLSX(w, rectificationLedger(d)); err != nil {
		return fmt.Errorf("report: rectification xlsx: %w", err)
	}
	return nil
}

// RectificationCSV writes the rectification ledger of d as CSV (UTF-8 with
// a BOM, formulas neutralized).
func RectificationCSV(w io.Writer, d Data) error {
	if err := exportCheck(d, true); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tabular.WriteCSV(&buf, rectificationLedger(d)); err != nil {
		return fmt.Errorf("report: rectification csv: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write rectification csv: %w", err)
	}
	return nil
}
