package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// QueuePageSize is how many submissions a page of the review queue shows.
const QueuePageSize = 50

// QueueSort orders the review queue.
type QueueSort string

// The orders of the review queue. Waiting (longest waiting first) is the
// default: it is the order an auditor works in.
const (
	SortWaiting  QueueSort = "waiting"
	SortScore    QueueSort = "score"
	SortFirm     QueueSort = "firm"
	SortCritical QueueSort = "critical"
)

// QueueSorts lists the orders, default first.
var QueueSorts = []QueueSort{SortWaiting, SortScore, SortFirm, SortCritical}

// QueueFilter narrows the review queue. Zero fields do not filter.
type QueueFilter struct {
	CampaignID uint
	State      assessment.State // submitted or resubmitted
	Grade      scoring.Grade
	Theme      string // a checklist id: only submissions with a gap in it
	Firm       string // part of the firm's name
	Sort       QueueSort
	Desc       bool // reverse the order
	Page       int  // from 1
}

// QueueRow is one submission waiting for review.
type QueueRow struct {
	ID           uint
	FirmName     string
	CreditCode   string
	Campaign     checklist.Text
	State        assessment.State
	SubmittedAt  time.Time
	Score        *float64
	Grade        scoring.Grade
	CriticalGaps int
	Gaps         int
}

// DaysWaiting is how many whole days the submission has waited at now.
func (r QueueRow) DaysWaiting(now time.Time) int {
	return int(now.Sub(r.SubmittedAt) / (24 * time.Hour))
}

// Queue is one page of the review queue.
type Queue struct {
	Rows  []QueueRow
	Total int64 // rows matching the filter, on every page
	Page  int
	Pages int
}

// ReviewQueue returns the submitted and resubmitted assessments actor may
// review (an auditor: those of the campaigns assigned to them; an admin: all),
// filtered, sorted and one page at a time. It reads the results stored at
// submit, so its cost does not depend on how many items the sheets have.
func (s *Store) ReviewQueue(ctx context.Context, actor *User, f QueueFilter) (Queue, error) {
	out := Queue{Page: max(f.Page, 1)}
	if actor.Role != auth.Auditor && actor.Role != auth.Admin {
		return out, fmt.Errorf("store: review queue: %w", ErrNotFound)
	}
	waiting := []string{string(assessment.Submitted), string(assessment.Resubmitted)}
	if f.State != "" {
		if f.State != assessment.Submitted && f.State != assessment.Resubmitted {
			return out, fmt.Errorf("%w: state %q is not waiting for review", ErrBadFilter, f.State)
		}
		waiting = []string{string(f.State)}
	}
	q := s.db.WithContext(ctx).Table("assessments").Scopes(scopeAssessments(actor)).
		Joins("JOIN firms ON firms.id = assessments.firm_id").
		Where("assessments.state IN ?", waiting)
	if f.CampaignID != 0 {
		q = q.Where("assessments.campaign_id = ?", f.CampaignID)
	}
	if f.Grade != scoring.NoGrade {
		q = q.Where("assessments.grade = ?", string(f.Grade))
	}
	if f.Theme != "" {
		q = q.Where("EXISTS (SELECT 1 FROM assessment_scores sc WHERE sc.assessment_id = assessments.id AND sc.checklist_id = ? AND sc.gaps > 0)", f.Theme)
	}
	if name := strings.TrimSpace(f.Firm); name != "" {
		q = q.Where("LOWER(firms.name) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(name))+"%")
	}
	if err := q.Session(&gorm.Session{}).Count(&out.Total).Error; err != nil {
		return out, translate(err, "count review queue")
	}
	out.Pages = int((out.Total + QueuePageSize - 1) / QueuePageSize)
	var order string
	dir := func(asc bool) string {
		if asc != f.Desc {
			return "ASC"
		}
		return "DESC"
	}
	switch f.Sort {
	case SortScore:
		// Unscored submissions (every item not applicable) sort last.
		order = "assessments.score IS NULL, assessments.score " + dir(true)
	case SortFirm:
		order = "firms.name " + dir(true)
	case SortCritical:
		order = "assessments.critical_gaps " + dir(false) + ", assessments.gaps " + dir(false)
	case SortWaiting, "":
		order = "assessments.submitted_at " + dir(true)
	default:
		return out, fmt.Errorf("%w: sort %q", ErrBadFilter, f.Sort)
	}
	type row struct {
		ID           uint
		FirmName     string
		CreditCode   string
		CampaignZH   *string
		CampaignEN   *string
		State        string
		SubmittedAt  *time.Time
		Score        *float64
		Grade        string
		CriticalGaps int
		Gaps         int
	}
	var rows []row
	err := q.Joins("LEFT JOIN campaigns ON campaigns.id = assessments.campaign_id").
		Select("assessments.id, firms.name AS firm_name, firms.credit_code, campaigns.name_zh AS campaign_zh, campaigns.name_en AS campaign_en, " +
			"assessments.state, assessments.submitted_at, assessments.score, assessments.grade, assessments.critical_gaps, assessments.gaps").
		Order(order + ", assessments.id").
		Limit(QueuePageSize).Offset((out.Page - 1) * QueuePageSize).
		Scan(&rows).Error
	if err != nil {
		return out, translate(err, "review queue")
	}
	for _, r := range rows {
		qr := QueueRow{ID: r.ID, FirmName: r.FirmName, CreditCode: r.CreditCode, State: assessment.State(r.State),
			Score: r.Score, Grade: scoring.Grade(r.Grade), CriticalGaps: r.CriticalGaps, Gaps: r.Gaps}
		if r.SubmittedAt != nil {
			qr.SubmittedAt = *r.SubmittedAt
		}
		if r.CampaignZH != nil {
			qr.Campaign.ZH = *r.CampaignZH
		}
		if r.CampaignEN != nil {
			qr.Campaign.EN = *r.CampaignEN
		}
		out.Rows = append(out.Rows, qr)
	}
	return out, nil
}

// ErrBadFilter refuses a filter or sort the queue does not know.
var ErrBadFilter = errors.New("store: invalid filter")

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
