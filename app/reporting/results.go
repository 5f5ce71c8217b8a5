package reporting

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/tabular"
)

// resultColumns are a campaign results export's columns, with their XLSX
// widths and kinds.
var resultColumns = []struct {
	key   string
	width float64
	kind  tabular.Kind
}{
	{"dashboard.col.firm", 24, tabular.Text}, {"dashboard.col.credit_code", 21, tabular.Text},
	{"dashboard.col.assessment", 9, tabular.Number}, {"dashboard.col.state", 11, tabular.Text},
	{"dashboard.col.theme", 22, tabular.Text}, {"dashboard.col.item", 16, tabular.Text},
	{"dashboard.col.answer", 12, tabular.Text}, {"dashboard.col.note", 40, tabular.Text},
	{"dashboard.col.plan_measure", 40, tabular.Text}, {"dashboard.col.plan_owner", 12, tabular.Text},
	{"dashboard.col.plan_due", 13, tabular.Date}, {"dashboard.col.plan_status", 11, tabular.Text},
	{"dashboard.col.evidence", 9, tabular.Number},
}

// xlsxLanguage is the document language of a workbook in lang.
func xlsxLanguage(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// ResultFormats are the formats of a campaign results export, with their
// content type.
var ResultFormats = map[string]string{
	"csv":  "text/csv; charset=utf-8",
	"xlsx": Formats["xlsx"].ContentType,
}

// resultCells turns result rows into cells in one language, reusing one row.
type resultCells struct {
	s    *Service
	lang string
	row  []string
}

func (rc *resultCells) t(key string) string { return rc.s.Messages.T(rc.lang, key) }

func (rc *resultCells) header() []string {
	h := make([]string, len(resultColumns))
	for i, col := range resultColumns {
		h[i] = rc.t(col.key)
	}
	return h
}

func (rc *resultCells) cells(r store.ResultRow) []string {
	theme := r.ThemeTitle.In(rc.lang)
	if theme == "" {
		theme = r.ChecklistID
	}
	answer := rc.t("answer.none")
	if r.Answer != scoring.Unanswered {
		answer = rc.t("answer." + string(r.Answer))
	}
	status := ""
	if r.Plan.Status != "" {
		status = rc.t("plan.status." + string(r.Plan.Status))
	}
	row := rc.row
	row[0], row[1], row[2], row[3] = r.FirmName, r.CreditCode, strconv.FormatUint(uint64(r.AssessmentID), 10), rc.t("state."+string(r.State))
	row[4], row[5], row[6], row[7] = theme, r.ItemID, answer, r.Note
	row[8], row[9], row[10], row[11], row[12] = r.Plan.Measure, r.Plan.Owner, r.Plan.Due, status, strconv.Itoa(r.Evidence)
	return row
}

// CampaignResults writes every answer of campaign id's assessments that
// actor may see, one row each, as CSV or XLSX (a key of ResultFormats) in
// lang, to the writer open returns. open is called once, with the file name
// to offer and the content type, just before the first byte: for CSV when
// the first row is ready, so that a refusal (another campaign's auditor:
// store.ErrNotFound) or an early failure can still be answered as an error;
// for XLSX once the workbook is complete (excelize keeps its rows in a
// temporary file). An error after open was called means a broken download:
// the caller must not let it look complete.
func (s *Service) CampaignResults(ctx context.Context, actor *store.User, id uint, lang, format string, open func(name, contentType string) io.Writer) error {
	contentType, ok := ResultFormats[format]
	if !ok {
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
	camp, err := s.Store.Campaign(ctx, actor, id)
	if err != nil {
		return err
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	name := evidence.CleanName(fmt.Sprintf("%s-%s-%s.%s", camp.Name.In(lang), s.Messages.T(lang, "dashboard.file"),
		s.now().In(loc).Format(assessment.DateLayout), format))
	rc := &resultCells{s: s, lang: lang, row: make([]string, len(resultColumns))}
	if format == "csv" {
		var out *tabular.CSVStream
		start := func() error {
			if out != nil {
				return nil
			}
			var err error
			out, err = tabular.NewCSVStream(open(name, contentType), rc.header())
			return err
		}
		err := s.Store.CampaignResults(ctx, actor, id, func(r store.ResultRow) error {
			if err := start(); err != nil {
				return err
			}
			return out.Write(rc.cells(r))
		})
		if err == nil {
			if err = start(); err == nil {
				err = out.Flush()
			}
		}
		return err
	}
	// The workbook is built through the render gate; the CSV above is not:
	// it holds one row at a time, and it streams to the client, whose
	// download (up to exportDeadline) would hold a render slot meanwhile.
	leave, err := s.enter(ctx)
	if err != nil {
		return err
	}
	left := false
	defer func() {
		if !left {
			leave()
		}
	}()
	widths := make([]float64, len(resultColumns))
	for i, col := range resultColumns {
		widths[i] = col.width
	}
	kinds := make([]tabular.Kind, len(resultColumns))
	for i, col := range resultColumns {
		kinds[i] = col.kind
	}
	x, err := tabular.NewXLSXStream(tabular.Table{
		Sheet: s.Messages.T(lang, "dashboard.sheet"), Header: rc.header(), Widths: widths, Kinds: kinds,
		Props: tabular.Props{Title: camp.Name.In(lang) + " - " + s.Messages.T(lang, "dashboard.sheet"), Subject: camp.Name.In(lang), Language: xlsxLanguage(lang), Created: s.now()},
	})
	if err != nil {
		return err
	}
	defer x.Close()
	if err := s.Store.CampaignResults(ctx, actor, id, func(r store.ResultRow) error { return x.Write(rc.cells(r)) }); err != nil {
		return err
	}
	// Sending is not rendering: a slow client must not hold the slot.
	leave()
	left = true
	_, err = x.WriteTo(open(name, contentType))
	return err
}
