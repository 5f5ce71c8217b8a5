package assessment

import (
	"strings"
	"time"
	"unicode/utf8"

	"selfcheck/app/fault"
)

// PlanVerified is a plan an auditor of the campaign checked and closed
// (销号). Only an auditor sets it, from done; it is not among PlanStatuses,
// the statuses a firm chooses from.
const PlanVerified PlanStatus = "verified"

// AllPlanStatuses lists every status a plan can have, in the order of its
// life.
var AllPlanStatuses = []PlanStatus{PlanOpen, PlanInProgress, PlanDone, PlanVerified}

// Known reports whether s is any plan status, verified included.
func (s PlanStatus) Known() bool { return s.Valid() || s == PlanVerified }

// Finished reports whether the rectification is carried out: done (waiting
// for verification) or verified. A finished plan is never overdue.
func (s PlanStatus) Finished() bool { return s == PlanDone || s == PlanVerified }

// PlanActor is who moves a plan: the firm carries the rectification out,
// an auditor of the campaign checks it.
type PlanActor string

// The plan actors.
const (
	PlanByFirm    PlanActor = "firm"
	PlanByAuditor PlanActor = "auditor"
)

// CodeTransition is the FieldError code of a status change the rules do
// not allow (Args: the current status and the one asked for, as Terms).
const CodeTransition = "transition"

// Codes of an auditor's plan decision, apart from a review's (whose
// decisions and comment rule differ): CodeDecision for a decision other
// than accept or reopen, CodeNeedsComment for a reopening without a word
// on what is missing.
const (
	CodeDecision     = "plan_decision"
	CodeNeedsComment = "needs_comment"
)

// PlanMove checks that by may move a plan from status from to status to.
// The firm moves its plans freely among open, in progress and done, but
// never to or from verified: a closed plan is the auditor's. An auditor
// only decides on a plan marked done: accepts it (verified) or reopens it
// (in progress). Staying at the same status is no move and always allowed
// to the firm (a progress note alone). A refusal is a *fault.FieldError on
// status with code CodeTransition.
func PlanMove(from, to PlanStatus, by PlanActor) error {
	if from == "" {
		from = PlanOpen
	}
	ok := false
	switch by {
	case PlanByFirm:
		ok = from.Valid() && to.Valid()
	case PlanByAuditor:
		ok = from == PlanDone && (to == PlanVerified || to == PlanInProgress)
	}
	if !ok {
		return fault.Field("status", CodeTransition, fault.Term("plan.status."+string(from)), fault.Term("plan.status."+string(to)))
	}
	return nil
}

// PlanProgress is a firm's report on a plan: the status it is at now, an
// optional note for the plan's log and, when done, the day it was done.
type PlanProgress struct {
	Status PlanStatus
	Note   string
	DoneOn string // YYYY-MM-DD; "" means today when the plan becomes done
}

// MaxProgressNote caps one progress note, as a comment is capped.
const MaxProgressNote = MaxComment

// Apply checks the progress against the plan p it reports on, as of today
// (YYYY-MM-DD), and returns the plan as it will be kept. The note is
// normalized in place. A completion date is only for a plan that is done,
// and it cannot lie in the future.
func (pr *PlanProgress) Apply(p Plan, today string) (Plan, error) {
	pr.Note = NormalizeNote(pr.Note)
	pr.DoneOn = strings.TrimSpace(pr.DoneOn)
	if pr.Status == "" {
		pr.Status = p.Status
	}
	if err := PlanMove(p.Status, pr.Status, PlanByFirm); err != nil {
		return p, err
	}
	switch {
	case utf8.RuneCountInString(pr.Note) > MaxProgressNote:
		return p, fault.Field("note", fault.TooLong, MaxProgressNote)
	case pr.DoneOn != "" && pr.Status != PlanDone:
		return p, fault.Field("done_on", fault.Invalid)
	case pr.DoneOn != "" && !IsDate(pr.DoneOn):
		return p, fault.Field("done_on", fault.Invalid)
	case pr.DoneOn > today:
		return p, fault.Field("done_on", fault.Order, today)
	case pr.Status == p.Status && pr.Note == "" && (pr.DoneOn == "" || pr.DoneOn == p.DoneOn):
		return p, fault.Field("note", fault.Required)
	}
	out := p
	out.Status = pr.Status
	switch {
	case pr.Status != PlanDone:
		out.DoneOn = ""
	case pr.DoneOn != "":
		out.DoneOn = pr.DoneOn
	case p.Status != PlanDone || p.DoneOn == "":
		out.DoneOn = today
	}
	return out, nil
}

// PlanDecision is an auditor's decision on a plan marked done.
type PlanDecision string

// The decisions.
const (
	PlanAccept PlanDecision = "accept"
	PlanReopen PlanDecision = "reopen"
)

// Verification is an auditor's decision on a plan with its comment.
type Verification struct {
	Decision PlanDecision
	Comment  string
}

// Apply checks the verification against plan p, as of today, and returns
// the plan as it will be kept. Reopening needs a comment: the firm must
// learn what is still missing. The comment is normalized in place.
func (v *Verification) Apply(p Plan, today string) (Plan, error) {
	v.Comment = NormalizeNote(v.Comment)
	var to PlanStatus
	switch v.Decision {
	case PlanAccept:
		to = PlanVerified
	case PlanReopen:
		to = PlanInProgress
	default:
		return p, fault.Field("decision", CodeDecision, "accept, reopen")
	}
	switch {
	case utf8.RuneCountInString(v.Comment) > MaxComment:
		return p, fault.Field("comment", fault.TooLong, MaxComment)
	case v.Decision == PlanReopen && v.Comment == "":
		return p, fault.Field("comment", CodeNeedsComment)
	}
	if err := PlanMove(p.Status, to, PlanByAuditor); err != nil {
		return p, err
	}
	out := p
	out.Status, out.ReviewComment = to, v.Comment
	if to == PlanVerified {
		out.VerifiedOn = today
	} else {
		out.DoneOn, out.VerifiedOn = "", ""
	}
	return out, nil
}

// RectificationClosed reports whether every plan of plans is verified:
// the assessment's rectification is complete. An assessment without plans
// has nothing to close.
func RectificationClosed(plans map[string]Plan) bool {
	if len(plans) == 0 {
		return false
	}
	for _, p := range plans {
		if p.Status != PlanVerified {
			return false
		}
	}
	return true
}

// PlanEntry is one line of a plan's log: a progress report of the firm or
// an auditor's decision, never changed afterwards.
type PlanEntry struct {
	ID     uint
	Kind   PlanEntryKind
	Status PlanStatus // the plan's status after the entry
	Text   string
	By     string
	At     time.Time
}

// PlanEntryKind tells a firm's report from an auditor's decision.
type PlanEntryKind string

// The entry kinds.
const (
	EntryProgress PlanEntryKind = "progress"
	EntryAccepted PlanEntryKind = "accepted"
	EntryReopened PlanEntryKind = "reopened"
)
