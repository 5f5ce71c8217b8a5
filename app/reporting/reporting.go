// Package reporting issues an assessment's reports. It gathers what a
// report shows (the sheet, the review history, a baseline to compare with)
// from the store, renders it with app/report as PDF, XLSX, CSV, JSON or
// OSCAL, and records every PDF it issues with its verification code, so
// that anyone holding the file can check it at /verify/{code}.
//
// The web pages and the JSON API both issue reports through one Service.
package reporting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"selfcheck/app/i18n"
	"selfcheck/app/report"
	"selfcheck/app/store"
	"selfcheck/app/verify"
)

// Service issues reports.
type Service struct {
	Store     *store.Store
	Renderer  *report.Renderer
	Messages  *i18n.Catalog
	Location  *time.Location // the zone dates are printed in; UTC when nil
	PublicURL string         // where /verify/{code} is reached; checked at start
	Now       func() time.Time
	Gate      *Gate // bounds the renders at once; nil: no bound
}

// ErrFormat refuses an export format the service does not know.
var ErrFormat = errors.New("reporting: unknown format")

// Formats are the export formats besides the PDF, with their file
// extension and content type.
var Formats = map[string]struct{ Ext, ContentType string }{
	"xlsx":  {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	"csv":   {"csv", "text/csv; charset=utf-8"},
	"json":  {"json", "application/json"},
	"oscal": {"oscal.json", "application/json"},
	// The rectification ledger (整改台账): the rectification report's data.
	"rectification.xlsx": {"rectification.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	"rectification.csv":  {"rectification.csv", "text/csv; charset=utf-8"},
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Data gathers everything a report of assessment id shows to actor, in lang
// ("zh" or "en"). The generation time is cut to the microsecond, as the
// database keeps it, so a verification code recomputed from stored values
// matches.
func (s *Service) Data(ctx context.Context, actor *store.User, id uint, lang string) (report.Data, error) {
	sh, err := s.Store.Sheet(ctx, actor, id)
	if err != nil {
		return report.Data{}, err
	}
	rounds, err := s.Store.ReviewHistory(ctx, actor, id)
	if err != nil {
		return report.Data{}, err
	}
	base, err := s.Store.Baseline(ctx, actor, id)
	if err != nil {
		return report.Data{}, err
	}
	d := report.Data{
		Sheet: sh, Lang: lang, Location: s.Location,
		GeneratedAt: s.now().UTC().Truncate(time.Microsecond),
		T:           func(key string, args ...any) string { return s.Messages.T(lang, key, args...) },
	}
	comments, err := s.Store.Comments(ctx, actor, id, "")
	if err != nil {
		return report.Data{}, err
	}
	for _, c := range comments {
		d.Comments = append(d.Comments, report.Comment{ItemID: c.ItemID, Author: c.User.Name, Role: string(c.User.Role), Body: c.Body, At: c.CreatedAt})
	}
	for _, r := range rounds {
		rv := report.Review{State: r.State, Comment: r.Comment, Reviewer: r.Reviewer, At: r.At}
		for _, it := range r.Items {
			rv.Items = append(rv.Items, report.ItemVerdict{ItemID: it.ItemID, Verdict: it.Verdict, Comment: it.Comment})
		}
		d.Reviews = append(d.Reviews, rv)
	}
	if base != nil {
		kind := report.BaselineEarlier
		if base.Resubmission {
			kind = report.BaselineResubmission
		}
		d.Baseline = &report.Baseline{Kind: kind, AssessmentID: base.AssessmentID, At: base.At, Answers: base.Answers}
	}
	return d, nil
}

// Issued is a PDF report as served: the document waits in a temporary
// file (File) until it is sent, so a large report is not held in memory
// while a slow client reads it. Close it when done.
type Issued struct {
	*File
	Code string // the verification code, canonical form
}

// PDF renders assessment id's report for actor with its verification code
// and QR code, and records it: the code derives from the report's canonical
// content and generation time, and the record keeps the SHA-256 of the PDF
// bytes, which the verification page shows.
func (s *Service) PDF(ctx context.Context, actor *store.User, id uint, lang string) (Issued, error) {
	// The gate comes before the data too: a large assessment's sheet is
	// itself megabytes, and a queue of them would undo the bound.
	leave, err := s.enter(ctx)
	if err != nil {
		return Issued{}, err
	}
	defer leave()
	d, err := s.Data(ctx, actor, id, lang)
	if err != nil {
		return Issued{}, err
	}
	return s.pdf(ctx, actor, d)
}

// pdf issues the PDF of d, inside the gate its caller passed.
func (s *Service) pdf(ctx context.Context, actor *store.User, d report.Data) (Issued, error) {
	id := d.Sheet.ID
	content, err := report.Canonical(d)
	if err != nil {
		return Issued{}, fmt.Errorf("reporting: canonical content of assessment %d: %w", id, err)
	}
	return s.issueRetrying(ctx, actor, d, sha256Hex(content), s.Renderer.PDF, "pdf")
}

// issueRetrying issues a PDF of content hash rendered by render. Two
// reports of the same content generated in the same microsecond would share
// a code; the later one moves on a microsecond.
func (s *Service) issueRetrying(ctx context.Context, actor *store.User, d report.Data, hash string, render func(io.Writer, report.Data) error, ext string) (Issued, error) {
	for try := 0; ; try++ {
		iss, err := s.issue(ctx, actor, d, hash, render, ext)
		if errors.Is(err, store.ErrDuplicate) && try < 3 {
			d.GeneratedAt = d.GeneratedAt.Add(time.Microsecond)
			continue
		}
		return iss, err
	}
}

// issue renders and records one PDF of content hash at d.GeneratedAt.
func (s *Service) issue(ctx context.Context, actor *store.User, d report.Data, hash string, render func(io.Writer, report.Data) error, ext string) (Issued, error) {
	code := verify.Code(hash, d.GeneratedAt)
	link := verify.URL(s.PublicURL, code)
	qr, err := verify.QR(link)
	if err != nil {
		return Issued{}, err
	}
	d.Verify = report.Verification{Code: verify.Format(code), URL: link, QR: qr}
	sum := sha256.New()
	f, err := spoolFile(func(w io.Writer) error {
		return render(io.MultiWriter(w, sum), d)
	})
	if err != nil {
		return Issued{}, fmt.Errorf("reporting: PDF of assessment %d: %w", d.Sheet.ID, err)
	}
	res := d.Sheet.Result()
	err = s.Store.RecordReport(ctx, actor, store.IssuedReport{
		Code: code, AssessmentID: d.Sheet.ID, FirmName: d.Sheet.FirmName, CreditCode: d.Sheet.CreditCode,
		State: d.Sheet.State, Score: res.Score, Grade: res.Grade, Lang: d.Lang,
		ContentHash: hash, PDFSHA256: hex.EncodeToString(sum.Sum(nil)), GeneratedAt: d.GeneratedAt,
	})
	if err != nil {
		f.Close()
		return Issued{}, err
	}
	f.Name, f.ContentType = s.fileName(d, ext), "application/pdf"
	f.ASCIIName = s.asciiFileName(d, ext)
	return Issued{File: f, Code: code}, nil
}

// Export writes assessment id's report in format (a key of Formats) to w
// and returns the file name to offer. Nothing is written when gathering
// the data fails.
func (s *Service) Export(ctx context.Context, actor *store.User, id uint, lang, format string, w io.Writer) (string, error) {
	name, _, err := s.export(ctx, actor, id, lang, format, w)
	return name, err
}

// export is Export, which also returns the ASCII name (asciiFileName).
func (s *Service) export(ctx context.Context, actor *store.User, id uint, lang, format string, w io.Writer) (name, ascii string, err error) {
	f, ok := Formats[format]
	if !ok {
		return "", "", fmt.Errorf("%w: %q", ErrFormat, format)
	}
	leave, err := s.enter(ctx)
	if err != nil {
		return "", "", err
	}
	defer leave()
	d, err := s.Data(ctx, actor, id, lang)
	if err != nil {
		return "", "", err
	}
	if strings.HasPrefix(format, "rectification.") {
		recs, err := s.Store.PlanRecords(ctx, actor, id)
		if err != nil {
			return "", "", err
		}
		d.PlanLog, d.PlanFiles = recs.Entries, recs.Evidence
	}
	if err := write(format, w, d); err != nil {
		return "", "", err
	}
	return s.fileName(d, f.Ext), s.asciiFileName(d, f.Ext), nil
}

// write renders d in format, a key of Formats.
func write(format string, w io.Writer, d report.Data) error {
	var render func(io.Writer, report.Data) error
	switch format {
	case "xlsx":
		render = report.XLSX
	case "csv":
		render = report.CSV
	case "json":
		render = report.JSON
	case "oscal":
		render = report.OSCAL
	case "rectification.xlsx":
		render = report.RectificationXLSX
	case "rectification.csv":
		render = report.RectificationCSV
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
	if err := render(w, d); err != nil {
		return fmt.Errorf("reporting: %s of assessment %d: %w", format, d.Sheet.ID, err)
	}
	return nil
}

// ExportFile is Export into a temporary file, to be sent once complete
// (a failure is an error page, not half a file) without holding it in
// memory. Close the file when done.
func (s *Service) ExportFile(ctx context.Context, actor *store.User, id uint, lang, format string) (*File, error) {
	var name, asciiName string
	f, err := spoolFile(func(w io.Writer) (err error) {
		name, asciiName, err = s.export(ctx, actor, id, lang, format, w)
		return err
	})
	if err != nil {
		return nil, err
	}
	f.Name, f.ContentType = name, Formats[format].ContentType
	f.ASCIIName = asciiName
	return f, nil
}

// fileName is the name a report is offered under: what it is, whose, of
// which campaign and when, in the report's language (自查报告-{firm}-
// {campaign}-{date}.pdf), so a folder of downloads sorts and reads by
// itself.
func (s *Service) fileName(d report.Data, ext string) string {
	kind := fileKinds[""]
	if k, ok := fileKinds[ext]; ok {
		kind, ext = k, k.ext
	}
	what := kind.zh
	if d.Lang == "en" {
		what = kind.en
	}
	parts := []string{what, fileNamePart(d.Sheet.FirmName)}
	if d.Sheet.Campaign != nil {
		parts = append(parts, fileNamePart(d.Sheet.Campaign.Name.In(d.Lang)))
	}
	parts = append(parts, d.GeneratedAt.In(s.location()).Format("20060102"))
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), "-") + "." + ext
}

// fileKinds name the files other than the report by what they are; the
// key is the ext their issuer passes.
var fileKinds = map[string]struct{ zh, en, ext string }{
	"":                   {"自查报告", "self-examination-report", ""},
	"rectification.pdf":  {"整改报告", "rectification-report", "pdf"},
	"package.zip":        {"报送包", "submission-package", "zip"},
	"rectification.xlsx": {"整改台账", "rectification-ledger", "xlsx"},
	"rectification.csv":  {"整改台账", "rectification-ledger", "csv"},
}

// asciiFileName is the name offered to clients that cannot read an
// RFC 5987 name: the assessment's number instead of the names.
func (s *Service) asciiFileName(d report.Data, ext string) string {
	return fmt.Sprintf("selfcheck-%d-%s.%s", d.Sheet.ID, d.GeneratedAt.In(s.location()).Format("20060102"), ext)
}

func (s *Service) location() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// maxNamePart bounds a firm's or campaign's name in a file name: the
// whole name stays far inside the 255 bytes file systems allow.
const maxNamePart = 30

// fileNamePart is name fit for a file name on every system: characters
// that file systems or shells refuse or misread become "_", runs of space
// one "_", and it is cut at maxNamePart characters.
func fileNamePart(name string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range strings.TrimSpace(name) {
		if n == maxNamePart {
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) || !unicode.IsPrint(r):
			r = '_'
		}
		if space {
			b.WriteByte('_')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
