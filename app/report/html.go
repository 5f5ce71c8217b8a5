package report

import (
	"fmt"
	"html/template"
	"io"

	"selfcheck/app/checklist"
)

// htmlReport is the same report as HTML, for the baseline that a common way
// of making PDFs sets: a browser printing a page (see HTML). It shows what the PDF shows
// (cover facts, summary, every item with its basis, note, evidence and plan,
// the plans, the reviews), styled for print.
var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"text":   func(t checklist.Text, lang string) string { return t.In(lang) },
	"answer": func(d Data, id string) string { return d.T(answerKey(d.Sheet.Answers[id].Value)) },
}).Parse(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{call .T "report.title"}}</title>
<style>
@page { size: A4; margin: 42pt 40pt 52pt; }
body { font: 9pt "WenQuanYi Micro Hei", sans-serif; }
h1 { text-align: center; font-size: 20pt; }
table { width: 100%; border-collapse: collapse; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th { background: #2f4a63; color: #fff; }
th, td { border: .5pt solid #c8cdd3; padding: 5pt; vertical-align: top; word-break: break-all; }
tr.gap td { background: #fff1cc; }
.chapter { page-break-before: always; }
</style></head><body>
<h1>{{call .T "report.title"}}</h1>
<p>{{.Sheet.FirmName}} · {{.Sheet.CreditCode}} · {{.Sheet.ID}}</p>
<h2 class="chapter">{{call .T "report.summary"}}</h2>
{{range .Sheet.Checklists}}<p>{{text .Title $.Lang}}</p>{{end}}
<h2 class="chapter">{{call .T "report.items"}}</h2>
<table><thead><tr><th>{{call .T "report.col.id"}}</th><th>{{call .T "report.col.text"}}</th><th>{{call .T "report.col.answer"}}</th><th>{{call .T "report.col.note"}}</th></tr></thead><tbody>
{{range $cl := .Sheet.Checklists}}<tr><td colspan="4"><b>{{text $cl.Title $.Lang}}</b></td></tr>
{{range $it := $cl.Items}}{{$a := index $.Sheet.Answers $it.ID}}<tr{{if $a.Value.IsGap}} class="gap"{{end}}>
<td>{{$it.ID}}</td><td>{{text $it.Text $.Lang}}<br>{{$cl.BasisText $it $.Lang}}</td><td>{{answer $ $it.ID}}</td>
<td>{{$a.Note}}{{range index $.Sheet.Evidence $it.ID}}<br>{{.Name}} {{.Size}} {{.SHA256}}{{end}}
{{with index $.Sheet.Plans $it.ID}}<br>{{.Measure}} {{.Owner}} {{.Due}} {{.Status}}{{end}}</td></tr>{{end}}{{end}}
</tbody></table>
<h2 class="chapter">{{call .T "report.reviews"}}</h2>
{{range .Reviews}}<p>{{.At}} {{.Reviewer}} {{.State}} {{.Comment}}</p>{{end}}
</body></html>`))

// HTML writes the report as one HTML page styled for print. It is not served
// to users: the benchmarks time a browser printing it to PDF against PDF,
// the way peers that render reports with headless Chromium make theirs.
func HTML(w io.Writer, d Data) error {
	if err := htmlReport.Execute(w, d); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}
