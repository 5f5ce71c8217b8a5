package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
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
	// AwaitingVerification keeps the assessments, in any state past draft
	// (approved ones too), with a plan marked done that no auditor has
	// verified or reopened yet (rectify.go).
	AwaitingVerification bool
	Sort                 QueueSort
	Desc                 bool // reverse the order
	Page                 int  // from 1
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

// QueueCountCap bounds how many matching submissions the queue counts.
// Counting reads every match, so an exact total grows with the campaign;
// past the cap the page says "1,000+" and offers a next page while rows
// follow. An auditor narrows a queue that long with a filter rather than
// paging through it.
const QueueCountCap = 1000

// Queue is one page of the review queue.
type Queue struct {
	Rows  []QueueRow
	Total int64 // rows matching the filter, on every page; at most QueueCountCap
	More  bool  // more than QueueCountCap rows match
	Page  int
	Pages int // at least Page+1 while More and rows follow this page
}

// ReviewQueue returns the submitted and resubmitted assessments actor may
// review (an auditor: those of the campaigns assigned to them; an admin: all),
// filtered, sorted and one page at a time. It reads the results stored at
// submit, so its cost does not depend on how many items the sheets have;
// and it counts at most QueueCountCap matches and reads a page in index
// order where an index holds the order (queueParts), so the first pages
// cost about the same whatever the campaign's size.
func (s *Store) ReviewQueue(ctx context.Context, actor *User, f QueueFilter) (Queue, error) {
	out := Queue{Page: max(f.Page, 1)}
	if actor.Role != auth.Auditor && actor.Role != auth.Admin {
		return out, fmt.Errorf("store: review queue: %w", ErrNotFound)
	}
	waiting := []string{string(assessment.Submitted), string(assessment.Resubmitted)}
	if f.State != "" {
		if f.State != assessment.Submitted && f.State != assessment.Resubmitted {
			return out, fmt.Errorf("%w: %w", ErrBadFilter, fault.Field("state", fault.OneOf, string(f.State)))
		}
		waiting = []string{string(f.State)}
	} else if f.AwaitingVerification {
		waiting = []string{string(assessment.Submitted), string(assessment.Resubmitted), string(assessment.ChangesRequested),
			string(assessment.Approved), string(assessment.Rejected)}
	}
	switch f.Sort {
	case SortWaiting, SortScore, SortFirm, SortCritical, "":
	default:
		return out, fmt.Errorf("%w: %w", ErrBadFilter, fault.Field("sort", fault.OneOf, string(f.Sort)))
	}
	if !storable(f.Firm, f.Theme, string(f.Grade)) {
		return out, nil // no firm, checklist or grade holds such text: nothing matches
	}
	// PostgreSQL finds the firms by pg_trgm's index on their names
	// (migration 14) as the LIKE below is written; SQLite narrows them by
	// the rarest piece of the search first (firmsearch.go).
	var grams []string
	if s.dialect.Name() != "postgres" {
		var err error
		if grams, err = s.rareGrams(ctx, f.Firm); err != nil {
			return out, err
		}
	}
	// The count stops at the cap: a subquery with LIMIT cap+1, which
	// SQLite and PostgreSQL both end early.
	capped := s.queueQuery(ctx, actor, f, waiting, grams).Select("assessments.id").Limit(QueueCountCap + 1)
	if err := s.db.WithContext(ctx).Table("(?) AS capped", capped).Count(&out.Total).Error; err != nil {
		return out, translate(err, "count review queue")
	}
	if out.Total > QueueCountCap {
		out.Total, out.More = QueueCountCap, true
	}
	out.Pages = int((out.Total + QueuePageSize - 1) / QueuePageSize)
	parts, err := s.queueParts(ctx, actor, f, waiting, grams)
	if err != nil {
		return out, err
	}
	var rows []queueRow
	if parts != nil {
		rows, err = orderedQueuePage(parts, f, out.Page)
	} else {
		rows, err = sortedQueuePage(s.queueQuery(ctx, actor, f, waiting, grams), f, out.Page)
	}
	if err != nil {
		return out, translate(err, "review queue")
	}
	if out.More && out.Page >= out.Pages && len(rows) == QueuePageSize {
		out.Pages = out.Page + 1
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

// ErrBadFilter refuses a filter or sort the queue does not know; a
// *fault.FieldError in its chain names the field and the value.
var ErrBadFilter = errors.New("store: invalid filter")

// escapeLike makes s match literally inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderedParts bounds the campaigns × waiting states whose lists the
// queue merges (orderedQueuePage); past it, the database sorts.
const orderedParts = 24

// queueParts splits the queue into one filter per campaign and waiting
// state for orderedQueuePage: the filtered campaign, or each campaign actor
// reviews (an admin: every campaign and the assessments outside any). It
// returns nil where the database sorts instead (sortedQueuePage): the firm
// order, which no index of assessments holds; a firm search narrowed by
// name pieces, whose few rows sort at once; and too many parts.
func (s *Store) queueParts(ctx context.Context, actor *User, f QueueFilter, states []string, grams []string) ([]func() *gorm.DB, error) {
	if f.Sort == SortFirm || len(grams) > 0 {
		return nil, nil
	}
	var campaigns []*uint
	if f.CampaignID != 0 {
		campaigns = []*uint{&f.CampaignID}
	} else {
		var ids []uint
		var err error
		if actor.Role == auth.Auditor {
			err = s.db.WithContext(ctx).Table("campaign_auditors").Where("user_id = ?", actor.ID).Order("campaign_id").Limit(orderedParts+1).Pluck("campaign_id", &ids).Error
		} else {
			err = s.db.WithContext(ctx).Table("campaigns").Order("id").Limit(orderedParts+1).Pluck("id", &ids).Error
			campaigns = append(campaigns, nil) // assessments outside campaigns
		}
		if err != nil {
			return nil, translate(err, "campaigns of review queue")
		}
		for i := range ids {
			campaigns = append(campaigns, &ids[i])
		}
	}
	if len(campaigns)*len(states) > orderedParts {
		return nil, nil
	}
	var parts []func() *gorm.DB
	for _, c := range campaigns {
		for _, st := range states {
			parts = append(parts, func() *gorm.DB {
				q := s.queueQuery(ctx, actor, f, []string{st}, grams)
				if c == nil {
					return q.Where("assessments.campaign_id IS NULL")
				}
				return q.Where("assessments.campaign_id = ?", *c)
			})
		}
	}
	return parts, nil
}

// queueRow is a row of the queue as read.
type queueRow struct {
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

const queueColumns = "assessments.id, firms.name AS firm_name, firms.credit_code, campaigns.name_zh AS campaign_zh, campaigns.name_en AS campaign_en, " +
	"assessments.state, assessments.submitted_at, assessments.score, assessments.grade, assessments.critical_gaps, assessments.gaps"

// queueDir is the SQL direction of a key sorted ascending unless reversed.
func queueDir(asc bool, f QueueFilter) string {
	if asc != f.Desc {
		return "ASC"
	}
	return "DESC"
}

// sortedQueuePage reads one page sorted by the database (see queueParts
// for when).
func sortedQueuePage(q *gorm.DB, f QueueFilter, page int) ([]queueRow, error) {
	var order string
	switch f.Sort {
	case SortScore:
		// Unscored submissions (every item not applicable) sort last.
		order = "assessments.score IS NULL, assessments.score " + queueDir(true, f)
	case SortFirm:
		order = "firms.name " + queueDir(true, f)
	case SortCritical:
		order = "assessments.critical_gaps " + queueDir(false, f) + ", assessments.gaps " + queueDir(false, f)
	default:
		order = "assessments.submitted_at " + queueDir(true, f)
	}
	var rows []queueRow
	err := q.Joins("JOIN firms ON firms.id = assessments.firm_id").Joins("LEFT JOIN campaigns ON campaigns.id = assessments.campaign_id").
		Select(queueColumns).Order(order + ", assessments.id").Limit(QueuePageSize).Offset((page - 1) * QueuePageSize).Scan(&rows).Error
	return rows, err
}

// orderedQueuePage reads one page of the queue in index order. Each part
// is the filter for one campaign and one waiting state, which fix the
// leading columns of the sort's index (idx_assessment_queue,
// idx_assessment_queue_grade, idx_assessment_queue_score,
// idx_assessment_queue_critical; migration 11), so its rows come sorted and
// the read stops after the page's last row instead of sorting every
// submission. The parts' lists are merged here in the same order. Page n
// reads n pages' rows per part: the first pages, which auditors use, stay
// cheap.
func orderedQueuePage(parts []func() *gorm.DB, f QueueFilter, page int) ([]queueRow, error) {
	need := page * QueuePageSize
	var all []queueRow
	for _, part := range parts {
		read := func(q *gorm.DB, order string, limit int) error {
			var rows []queueRow
			err := q.Joins("JOIN firms ON firms.id = assessments.firm_id").Joins("LEFT JOIN campaigns ON campaigns.id = assessments.campaign_id").
				Select(queueColumns).Order(order).Limit(limit).Scan(&rows).Error
			all = append(all, rows...)
			return err
		}
		switch f.Sort {
		case SortScore:
			// Scored first in the index's order, then the unscored by id;
			// "score IS NULL" in ORDER BY would defeat the index.
			before := len(all)
			if err := read(part().Where("assessments.score IS NOT NULL"),
				"assessments.score "+queueDir(true, f)+", assessments.id", need); err != nil {
				return nil, err
			}
			if got := len(all) - before; got < need {
				if err := read(part().Where("assessments.score IS NULL"), "assessments.id", need-got); err != nil {
					return nil, err
				}
			}
		case SortCritical:
			if err := read(part(), "assessments.critical_gaps "+queueDir(false, f)+", assessments.gaps "+queueDir(false, f)+", assessments.id", need); err != nil {
				return nil, err
			}
		default:
			if err := read(part(), "assessments.submitted_at "+queueDir(true, f)+", assessments.id", need); err != nil {
				return nil, err
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return queueLess(all[i], all[j], f) })
	lo := min((page-1)*QueuePageSize, len(all))
	return all[lo:min(lo+QueuePageSize, len(all))], nil
}

// queueLess is the queue's order as sortedQueuePage's ORDER BY has it.
func queueLess(a, b queueRow, f QueueFilter) bool {
	cmp := 0
	switch f.Sort {
	case SortScore:
		switch {
		case (a.Score == nil) != (b.Score == nil):
			return b.Score == nil // unscored last, either way
		case a.Score != nil && *a.Score != *b.Score:
			cmp = compareFloat(*a.Score, *b.Score)
			if f.Desc {
				cmp = -cmp
			}
		}
	case SortCritical:
		switch {
		case a.CriticalGaps != b.CriticalGaps:
			cmp = b.CriticalGaps - a.CriticalGaps
		case a.Gaps != b.Gaps:
			cmp = b.Gaps - a.Gaps
		}
		if f.Desc {
			cmp = -cmp
		}
	default:
		var ta, tb time.Time
		if a.SubmittedAt != nil {
			ta = *a.SubmittedAt
		}
		if b.SubmittedAt != nil {
			tb = *b.SubmittedAt
		}
		cmp = ta.Compare(tb)
		if f.Desc {
			cmp = -cmp
		}
	}
	if cmp != 0 {
		return cmp < 0
	}
	return a.ID < b.ID
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// queueQuery is the queue's filter over the submissions in states that
// actor may review.
// grams are pieces of the firm search (rareGrams) that narrow the firms by
// an index before LIKE tests their names.
func (s *Store) queueQuery(ctx context.Context, actor *User, f QueueFilter, states []string, grams []string) *gorm.DB {
	// No join of firms: the count needs none, and the firm search tests a
	// name per row (EXISTS) only for rows that passed the other filters.
	q := s.db.WithContext(ctx).Table("assessments").Scopes(scopeAssessments(actor)).
		Where("assessments.state IN ?", states)
	if f.CampaignID != 0 {
		q = q.Where("assessments.campaign_id = ?", f.CampaignID)
	}
	if f.Grade != scoring.NoGrade {
		q = q.Where("assessments.grade = ?", string(f.Grade))
	}
	if f.AwaitingVerification {
		q = q.Where("EXISTS (SELECT 1 FROM plans p WHERE p.assessment_id = assessments.id AND p.status = ?)", string(assessment.PlanDone))
	}
	if f.Theme != "" {
		q = q.Where("EXISTS (SELECT 1 FROM assessment_scores sc WHERE sc.assessment_id = assessments.id AND sc.checklist_id = ? AND sc.gaps > 0)", f.Theme)
	}
	if name := strings.TrimSpace(f.Firm); name != "" {
		q = q.Where("EXISTS (SELECT 1 FROM firms f WHERE f.id = assessments.firm_id AND LOWER(f.name) LIKE ? ESCAPE '\\')",
			"%"+escapeLike(strings.ToLower(name))+"%")
		for _, g := range grams {
			q = q.Where("assessments.firm_id IN (?)", s.db.Model(&FirmNameGram{}).Select("firm_id").Where("gram = ?", g))
		}
	}
	return q
}
