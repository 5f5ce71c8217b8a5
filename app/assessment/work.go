package assessment

import (
	"time"

	"selfcheck/app/fault"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// PlanStatus is where a rectification plan stands.
type PlanStatus string

// The plan statuses.
const (
	PlanOpen       PlanStatus = "open"
	PlanInProgress PlanStatus = "in_progress"
	PlanDone       PlanStatus = "done"
)

// PlanStatuses lists the statuses in order.
var PlanStatuses = []PlanStatus{PlanOpen, PlanInProgress, PlanDone}

// Valid reports whether s is a known status.
func (s PlanStatus) Valid() bool { return s == PlanOpen || s == PlanInProgress || s == PlanDone }

// DateLayout is how plan due dates and campaign dates are written.
const DateLayout = "2006-01-02"

// Plan is the rectification (整改) of one gap: what will be done, by whom, by when.
type Plan struct {
	Measure   string
	Owner     string
	Due       string // YYYY-MM-DD
	Status    PlanStatus
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
	// DoneOn is the day the firm marked the plan done (YYYY-MM-DD), ""
	// while it is not.
	DoneOn string
	// VerifiedOn is the day an auditor accepted it (销号), "" until then.
	VerifiedOn string
	// ReviewComment is the auditor's last word on it: why it was reopened,
	// or a remark on acceptance. The firm reads it on the plan.
	ReviewComment string
	// Origin is the gap of an earlier assessment the plan was carried over
	// from; nil for a plan made in this one.
	Origin *Origin
}

// Origin is an item of an earlier assessment.
type Origin struct {
	AssessmentID uint
	ItemID       string
}

// Overdue reports whether the plan is neither done nor verified and its
// due date is before today.
func (p Plan) Overdue(today string) bool { return !p.Status.Finished() && p.Due != "" && p.Due < today }

// Problem names the first field that makes the plan incomplete or
// invalid (see Validate), or "".
func (p Plan) Problem() string {
	if fe, ok := fault.AsField(p.Validate()); ok {
		return fe.Field
	}
	return ""
}

// Evidence is one file attached to an item.
type Evidence struct {
	ID         uint
	ItemID     string
	Name       string
	Kind       string
	Size       int64
	SHA256     string
	UploadedAt time.Time
	UploadedBy string
	ValidUntil string // YYYY-MM-DD, the last day the document is valid; "" when it does not expire
}

// Block is why an item stops the assessment from being submitted.
type Block string

// The blocks.
const (
	BlockUnanswered      Block = "unanswered"
	BlockPlanMissing     Block = "plan_missing"
	BlockEvidenceMissing Block = "evidence_missing"
	// BlockUnconfirmed is an answer carried over from the earlier cycle
	// that nobody has confirmed or changed: submitting it unread would
	// report last year's state as this year's.
	BlockUnconfirmed Block = "unconfirmed"
)

// Blocker is an item that stops submission, with every reason.
type Blocker struct {
	Ref
	Reasons []Block
	// PlanMissing names the fields its plan still lacks (Plan.Missing),
	// with BlockPlanMissing; none when there is no plan at all.
	PlanMissing []string
}

// Blockers lists every item that stops submission: unanswered items, gaps
// (partially or non-compliant) without a complete rectification plan, and
// items that require evidence but have none.
func (s *Sheet) Blockers() []Blocker {
	var out []Blocker
	for _, cl := range s.Checklists {
		for _, it := range cl.Items() {
			var why []Block
			var missing []string
			a := s.Answers[it.ID]
			if a.Value == scoring.Unanswered {
				why = append(why, BlockUnanswered)
			}
			if p, ok := s.Plans[it.ID]; a.Value.IsGap() && (!ok || p.Problem() != "") {
				why = append(why, BlockPlanMissing)
				if ok {
					missing = p.Missing()
				}
			}
			if it.EvidenceRequired && a.Value != scoring.NotApplicable && len(s.Evidence[it.ID]) == 0 {
				why = append(why, BlockEvidenceMissing)
			}
			if a.ToConfirm() {
				why = append(why, BlockUnconfirmed)
			}
			if len(why) > 0 {
				out = append(out, Blocker{Ref{cl, it}, why, missing})
			}
		}
	}
	return out
}

// Campaign is a self-examination campaign: the themes a group of firms
// examine by a deadline.
type Campaign struct {
	ID       uint
	Name     checklist.Text
	Themes   []string
	StartsOn string // YYYY-MM-DD
	Deadline string // YYYY-MM-DD
	Follows  uint   // the earlier campaign a follow-up repeats; 0 for none
}

// Overdue reports whether the deadline is before today.
func (c Campaign) Overdue(today string) bool { return c.Deadline < today }
