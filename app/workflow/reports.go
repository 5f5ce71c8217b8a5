package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/reporting"
)

// ReportPDF issues the verifiable PDF report of an assessment p may see,
// in lang, and records it for verification.
func (s *Service) ReportPDF(ctx context.Context, p access.Principal, id uint, lang string) (reporting.Issued, error) {
	return s.Reports.PDF(ctx, actor(p), id, lang)
}

// ReportExport renders an assessment p may see as xlsx, csv, json or
// oscal into a temporary file, with the file name to give it. Close it
// when sent.
func (s *Service) ReportExport(ctx context.Context, p access.Principal, id uint, lang, format string) (*reporting.File, error) {
	return s.Reports.ExportFile(ctx, actor(p), id, lang, format)
}

// VerifyReport is what the public verification page shows of an issued
// report's code.
func (s *Service) VerifyReport(ctx context.Context, code string) (Verified, error) {
	return s.Store.VerifyReport(ctx, code)
}
