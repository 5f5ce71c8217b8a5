package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/reporting"
	"selfcheck/app/submission"
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

// SubmissionPackage builds the signed submission package (监管报送) of an
// assessment p may see, in lang, into a temporary file. Close it when
// sent.
func (s *Service) SubmissionPackage(ctx context.Context, p access.Principal, id uint, lang string) (*reporting.PackageFile, error) {
	return s.Reports.Package(ctx, actor(p), id, lang)
}

// PackageKey is the public key submission packages are signed with, as
// /verify/key shows it: base64 and its fingerprint.
func (s *Service) PackageKey(ctx context.Context) (PublicKey, error) {
	k, err := s.Reports.PublicKey(ctx)
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKey{Base64: submission.KeyText(k), Fingerprint: submission.Fingerprint(k)}, nil
}

// PublicKey is the instance's package signing key, for display.
type PublicKey struct {
	Base64      string
	Fingerprint string
}

// RectificationPDF issues the rectification report (整改报告) of an
// assessment p may see, in lang, and records it for verification.
func (s *Service) RectificationPDF(ctx context.Context, p access.Principal, id uint, lang string) (reporting.Issued, error) {
	return s.Reports.RectificationPDF(ctx, actor(p), id, lang)
}
