package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/verify"
)

// IssuedReport is one report that left the application (a PDF served),
// recorded so that anyone holding it can check it at /verify/{code}. The
// firm, state, score and grade are what the report showed when it was
// generated, not what the assessment says now.
type IssuedReport struct {
	Code         string // verify.Code(ContentHash, GeneratedAt), canonical form
	AssessmentID uint
	FirmName     string
	CreditCode   string
	State        assessment.State // the assessment's state at issue
	Score        *float64         // nil: nothing to score
	Grade        scoring.Grade
	Lang         string // "zh" or "en"
	// ContentHash is the SHA-256 (hex) of the report's canonical content
	// without the generation time: two reports of unchanged content share it.
	ContentHash string
	// PDFSHA256 is the SHA-256 (hex) of the PDF file as served.
	PDFSHA256   string `gorm:"column:pdf_sha256"`
	GeneratedAt time.Time
	IssuedByID  uint // set by RecordReport
	CreatedAt   time.Time
}

// ErrBadReport refuses to record a report whose fields do not fit together
// (a code not derived from its content hash and time, a malformed hash).
var ErrBadReport = errors.New("store: inconsistent issued report")

// RecordReport records that actor was given the report r. The actor must
// be able to see the assessment as scopeAssessments allows (ErrNotFound
// otherwise); the audit log records the issue in the same transaction.
// IssuedByID and CreatedAt are set here. A code recorded before answers
// ErrDuplicate.
func (s *Store) RecordReport(ctx context.Context, actor *User, r IssuedReport) error {
	if actor == nil {
		return fmt.Errorf("store: record report: no actor: %w", ErrNotFound)
	}
	if err := checkReport(r); err != nil {
		return err
	}
	r.GeneratedAt = r.GeneratedAt.UTC().Truncate(time.Microsecond)
	r.IssuedByID = actor.ID
	r.CreatedAt = time.Now().UTC()
	return s.transact(ctx, func(tx *gorm.DB) error {
		var a Assessment
		if err := tx.Scopes(scopeAssessments(actor)).Select("id", "firm_id").First(&a, "assessments.id = ?", r.AssessmentID).Error; err != nil {
			return translate(err, "assessment %d", r.AssessmentID)
		}
		if err := tx.Create(&r).Error; err != nil {
			return translate(err, "record report %s of assessment %d", r.Code, r.AssessmentID)
		}
		score := "-"
		if r.Score != nil {
			score = fmt.Sprintf("%.1f", *r.Score)
		}
		detail := fmt.Sprintf("%s, state %s, score %s, grade %s, pdf sha256 %s", r.Lang, r.State, score, r.Grade, r.PDFSHA256)
		ev := auditBy(actor, AuditReportIssued, fmt.Sprintf("assessment:%d report:%s", r.AssessmentID, r.Code), detail).inFirm(a.FirmID)
		return appendAudit(tx, ctx, ev)
	})
}

// checkReport says what is wrong with r before it is recorded.
func checkReport(r IssuedReport) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("store: report %q: %s: %w", r.Code, fmt.Sprintf(format, args...), ErrBadReport)
	}
	switch {
	case !isSHA256Hex(r.ContentHash):
		return bad("content hash %q is not a SHA-256 in lower-case hex", r.ContentHash)
	case !isSHA256Hex(r.PDFSHA256):
		return bad("PDF hash %q is not a SHA-256 in lower-case hex", r.PDFSHA256)
	case r.GeneratedAt.IsZero():
		return bad("no generation time")
	case r.Code != verify.Code(r.ContentHash, r.GeneratedAt):
		return bad("the code is not derived from the content hash and generation time")
	case r.Lang != "zh" && r.Lang != "en":
		return bad("language %q", r.Lang)
	case r.FirmName == "":
		return bad("no firm name")
	case r.State == "":
		return bad("no state")
	}
	return nil
}

// isSHA256Hex reports whether s is a SHA-256 as encoding/hex writes it:
// 64 lower-case hex digits.
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Verified is what the public verification page may show of an issued
// report, and nothing else: no answers, notes or names of people.
type Verified struct {
	Code         string
	FirmName     string
	AssessmentID uint
	State        assessment.State // at issue
	Score        *float64
	Grade        scoring.Grade
	GeneratedAt  time.Time
	PDFSHA256    string
	// SupersededBy is when the newest report of the same assessment
	// generated after this one was generated, if its content differs from
	// this one's; nil when there is no later report or the newest says the
	// same (its code is not given out).
	SupersededBy *time.Time
}

// VerifyReport looks up an issued report by its code, for anyone: no actor,
// no scoping, so it returns only what Verified holds. A malformed or unknown
// code answers ErrNotFound alike.
func (s *Store) VerifyReport(ctx context.Context, code string) (Verified, error) {
	if !verify.Valid(code) {
		return Verified{}, fmt.Errorf("store: verify report: malformed code: %w", ErrNotFound)
	}
	db := s.db.WithContext(ctx)
	var r IssuedReport
	if err := db.Where("code = ?", code).First(&r).Error; err != nil {
		return Verified{}, translate(err, "issued report %s", code)
	}
	v := Verified{
		Code: r.Code, FirmName: r.FirmName, AssessmentID: r.AssessmentID, State: r.State,
		Score: r.Score, Grade: r.Grade, GeneratedAt: r.GeneratedAt, PDFSHA256: r.PDFSHA256,
	}
	// The newest later report decides: a report whose content came back
	// (A, then B, then A's content again) is not out of date.
	var newest IssuedReport
	err := db.Select("content_hash", "generated_at").
		Where("assessment_id = ? AND generated_at > ?", r.AssessmentID, r.GeneratedAt).
		Order("generated_at DESC").Order("code").First(&newest).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return Verified{}, translate(err, "reports after %s", code)
	case newest.ContentHash != r.ContentHash:
		at := newest.GeneratedAt
		v.SupersededBy = &at
	}
	return v, nil
}
