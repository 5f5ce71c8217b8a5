// Package report renders an assessment as a PDF: a cover with the firm, the
// score and a chart per theme, then every item with its answer and note.
//
// It draws with gopdf directly: the report has two shapes only (the cover
// and one table), and it wraps text itself because gopdf's SplitText
// re-measures the whole line for every character (quadratic on 20,000-byte
// notes) and word-wraps at a single break character only.
package report

import (
	"bufio"
	"compress/zlib"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/tabular"
)

// fontFamily is the name the parsed font is registered under in the
// container and in every document.
const fontFamily = "wqy"

// missingGlyph stands in for characters the font has no glyph for.
const missingGlyph = '□'

// Renderer makes PDF reports. It parses the font once (New) and is safe for
// concurrent use: each PDF call builds its own document and only reads the
// parsed font.
type Renderer struct {
	fonts *gopdf.FontContainer
}

// New parses the TrueType font data once. Parsing the CJK font is real work
// that yields tables that are only read afterwards, so it is done at start
// and shared by every report.
func New(font []byte) (*Renderer, error) {
	fc := &gopdf.FontContainer{}
	opt := gopdf.TtfOption{
		// A character the font lacks (emoji, rare CJK extensions) shows as
		// a box, as fonts conventionally do, rather than gopdf's default of
		// silently turning it into a space.
		OnGlyphNotFoundSubstitute: func(rune) rune { return missingGlyph },
	}
	if err := fc.AddTTFFontDataWithOption(fontFamily, font, opt); err != nil {
		return nil, fmt.Errorf("report: parse font: %w", err)
	}
	return &Renderer{fonts: fc}, nil
}

// Data is what one report shows.
type Data struct {
	Sheet       *assessment.Sheet
	Lang        string                               // "zh" or "en"
	T           func(key string, args ...any) string // message catalog bound to Lang; keys "report.*"
	GeneratedAt time.Time
	Location    *time.Location // the zone dates are printed in; UTC when nil

	Reviews  []Review  // the auditors' decisions, oldest first
	Baseline *Baseline // what the before/after section compares with; nil: no such section
	Verify   Verification
	Comments []Comment // the items' comment threads, oldest first (JSON export only)
	// PlanLog and PlanFiles are the plans' logs (oldest first) and their
	// rectification files, by item id: the rectification report reads them.
	PlanLog   map[string][]assessment.PlanEntry
	PlanFiles map[string][]assessment.Evidence
}

// Review is one auditor decision of the review history.
type Review struct {
	State    assessment.State // what the decision led to: changes_requested, approved or rejected
	Comment  string
	Reviewer string
	At       time.Time
	Items    []ItemVerdict
}

// ItemVerdict is an auditor's verdict on one item.
type ItemVerdict struct {
	ItemID  string
	Verdict string // accepted or needs_change
	Comment string
}

// Baseline is an earlier state of the firm's answers the report compares the
// current ones with.
type Baseline struct {
	Kind         string // BaselineResubmission or BaselineEarlier
	AssessmentID uint   // the assessment the answers belong to
	At           time.Time
	Answers      map[string]scoring.Answer // by item id
}

// The kinds of baseline.
const (
	// BaselineResubmission: the assessment as submitted before an auditor
	// returned it.
	BaselineResubmission = "resubmission"
	// BaselineEarlier: the firm's earlier assessment of the same themes.
	BaselineEarlier = "earlier"
)

// Verification identifies one issued report: Code is derived from the
// report's content, URL is where anyone can check it, and QR is the QR
// code of URL as a module matrix (true: dark), drawn as vector squares.
type Verification struct {
	Code string
	URL  string
	QR   [][]bool
}

// PDF writes the report to w as it is compiled, so the compiled document
// is never held in memory as a whole (issue 19: a report of thousands of
// pages, several at once, took the server's memory). A failing w is
// reported although gopdf ignores write errors while it streams; w may hold
// part of a document when PDF fails, so a caller that must send all or
// nothing writes to a temporary file first (reporting does).
func (r *Renderer) PDF(w io.Writer, d Data) error {
	if d.Sheet == nil {
		return errors.New("report: no sheet")
	}
	if d.T == nil {
		return errors.New("report: no message catalog")
	}
	doc, err := r.newDoc(d, "report.title")
	if err != nil {
		return err
	}
	doc.toc = doc.sections()
	for _, part := range []struct {
		name string
		draw func() error
	}{
		{"cover", doc.cover},
		{"contents", doc.contents},
		{"summary", doc.execSummary},
		{"items", doc.items},
		{"plans", doc.plans},
		{"review history", doc.reviews},
		{"before and after", doc.compare},
		{"items left out", doc.excluded},
		{"standards", doc.standards},
		{"tags", func() error { doc.closeMarked(); return nil }},
		{"footers", doc.fillFooters},
		{"contents", doc.fillContents},
		{"outline", doc.outline},
	} {
		if err := part.draw(); err != nil {
			return fmt.Errorf("report: %s: %w", part.name, err)
		}
	}
	return doc.compile(w)
}

// compile writes the finished document to w.
func (c *doc) compile(w io.Writer) error {
	ew := &errWriter{w: bufio.NewWriterSize(w, 64<<10)}
	if _, err := c.gp.WriteTo(ew); err != nil {
		return fmt.Errorf("report: compile: %w", err)
	}
	if ew.err == nil {
		ew.err = ew.w.Flush()
	}
	if ew.err != nil {
		return fmt.Errorf("report: write: %w", ew.err)
	}
	return nil
}

// errWriter keeps the first write error, which gopdf drops, and writes
// nothing after it.
type errWriter struct {
	w   *bufio.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// newDoc starts a document with the shared font and the metadata set.
func (r *Renderer) newDoc(d Data, title string) (*doc, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	// Page content is mostly glyph ids in hex: the fastest level makes it
	// only slightly larger than the default level and saves a larger share
	// of a long report's time (docs/BENCHMARKS.md). (gopdf compresses the
	// embedded font at its default level whatever is set here.)
	gp.SetCompressLevel(zlib.BestSpeed)
	if err := gp.AddTTFFontFromFontContainer(fontFamily, r.fonts); err != nil {
		return nil, fmt.Errorf("report: add font: %w", err)
	}
	firm := tabular.StripBidi(d.Sheet.FirmName)
	var themes []string
	for _, cl := range d.Sheet.Checklists {
		themes = append(themes, tabular.StripBidi(cl.Title.In(d.Lang)))
	}
	gp.SetInfo(gopdf.PdfInfo{
		Title:        d.T(title) + " - " + firm,
		Author:       firm,
		Subject:      d.T(title),
		Keywords:     strings.Join(themes, ", "),
		Creator:      "Selfcheck",
		Producer:     "Selfcheck",
		CreationDate: d.GeneratedAt,
		ID:           documentID(d),
	})
	gp.SetLang(pdfLang(d.Lang))
	return &doc{gp: gp, d: d, titleKey: title, m: newMeasurer(gp), marks: map[string]pos{}, sectionAt: map[string][]bookmark{},
		tags: tagger{root: gp.StructRoot()}}, nil
}

// documentID is the PDF's document ID (/ID), derived from what the issued
// report's record keeps (the verification code, which derives from the
// content, and the generation time), so that the same report renders to the
// same bytes and its recorded SHA-256 can be reproduced.
func documentID(d Data) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "selfcheck report\x00%d\x00%s\x00%s\x00%s", d.Sheet.ID, d.Verify.Code, d.Lang,
		d.GeneratedAt.UTC().Format(time.RFC3339Nano))
	return h.Sum(nil)[:16]
}

// pdfLang is the BCP 47 tag of a report language, for the PDF's /Lang.
func pdfLang(lang string) string {
	if lang == "zh" {
		return "zh-CN"
	}
	return lang
}
