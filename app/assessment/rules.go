package assessment

import (
	"strings"
	"time"
	"unicode/utf8"

	"selfcheck/app/fault"
	"selfcheck/app/scoring"
)

// Limits on what a firm or an auditor writes, in characters. They keep a
// report a document people read: at the earlier limits (20,000 for a
// note, 5,000 for a measure) one firm user could make a 2,800-page PDF of
// a 117-item assessment, and a few downloads of it at once took the
// server's memory (issue 19). At these, a full assessment's report stays
// below about 800 pages.
const (
	MaxNoteLen     = 5000 // a note on an answer
	MaxPlanMeasure = 2000 // a plan's measure
	MaxPlanOwner   = 100  // a plan's owner
	MaxComment     = 2000 // an auditor's comment, overall or on an item
)

// NormalizeNote is how a note (or a plan's measure) is stored: line breaks
// as "\n", since browsers post "\r\n", and no surrounding space, so the
// same text typed twice is no change.
func NormalizeNote(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// NewPlan is a plan as it is kept: the measure normalized like a note, the
// other fields trimmed, no status meaning open.
func NewPlan(measure, owner, due string, status PlanStatus) Plan {
	if status == "" {
		status = PlanOpen
	}
	return Plan{Measure: NormalizeNote(measure), Owner: strings.TrimSpace(owner), Due: strings.TrimSpace(due), Status: status}
}

// ValidateDraft checks a plan as it is saved, complete or not: a draft
// (only the measure typed, say) is kept, so that nothing typed is lost and
// colleagues see it; submission still needs the plan complete (Validate,
// Missing). It names the first field that is too long or malformed, as a
// *fault.FieldError; a plan with nothing in it is refused on measure.
func (p Plan) ValidateDraft() error {
	switch {
	case p.Measure == "" && p.Owner == "" && p.Due == "":
		return fault.Field("measure", fault.Required)
	case utf8.RuneCountInString(p.Measure) > MaxPlanMeasure:
		return fault.Field("measure", fault.TooLong, MaxPlanMeasure)
	case utf8.RuneCountInString(p.Owner) > MaxPlanOwner:
		return fault.Field("owner", fault.TooLong, MaxPlanOwner)
	case p.Due != "" && !IsDate(p.Due):
		return fault.Field("due", fault.Invalid)
	case !p.Status.Valid():
		return fault.Field("status", fault.OneOf, "open, in_progress, done")
	}
	return nil
}

// PlanFields are the fields a complete plan has filled in, in the order
// forms show them.
var PlanFields = []string{"measure", "owner", "due"}

// Missing lists the fields a draft still lacks to be complete, in the
// order of PlanFields; none for a complete plan.
func (p Plan) Missing() []string {
	var out []string
	for i, v := range []string{p.Measure, p.Owner, p.Due} {
		if v == "" {
			out = append(out, PlanFields[i])
		}
	}
	return out
}

// Validate names the first field that makes the plan incomplete or
// invalid, as a *fault.FieldError with field measure, owner, due or status.
func (p Plan) Validate() error {
	switch {
	case p.Measure == "":
		return fault.Field("measure", fault.Required)
	case utf8.RuneCountInString(p.Measure) > MaxPlanMeasure:
		return fault.Field("measure", fault.TooLong, MaxPlanMeasure)
	case p.Owner == "":
		return fault.Field("owner", fault.Required)
	case utf8.RuneCountInString(p.Owner) > MaxPlanOwner:
		return fault.Field("owner", fault.TooLong, MaxPlanOwner)
	case p.Due == "":
		return fault.Field("due", fault.Required)
	case !IsDate(p.Due):
		return fault.Field("due", fault.Invalid)
	case !p.Status.Valid():
		return fault.Field("status", fault.OneOf, "open, in_progress, done")
	}
	return nil
}

// IsDate reports whether s is a real date written YYYY-MM-DD.
func IsDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// ValidateAnswer checks an answer as a firm saves it: the value one of the
// four answers (or none, to clear it) and the note within MaxNoteLen once
// normalized. The field names are the API's: response and note.
func ValidateAnswer(v scoring.Answer, note string) error {
	if v != scoring.Unanswered && !v.Valid() {
		return fault.Field("response", fault.OneOf, "compliant, partial, non_compliant, not_applicable")
	}
	if utf8.RuneCountInString(NormalizeNote(note)) > MaxNoteLen {
		return fault.Field("note", fault.TooLong, MaxNoteLen)
	}
	return nil
}

// Verdict is an auditor's judgement of one item.
type Verdict string

// The verdicts.
const (
	Accepted    Verdict = "accepted"
	NeedsChange Verdict = "needs_change"
)

// ItemVerdict is a verdict with its comment.
type ItemVerdict struct {
	ItemID  string
	Verdict Verdict
	Comment string
}

// Decision is an auditor's decision on a submitted assessment.
type Decision struct {
	Action  Action // approve, request_changes or reject
	Comment string
	Items   []ItemVerdict
}

// Validate names the first thing wrong with a decision as a
// *fault.FieldError: field decision, comment (the overall one) or verdict
// and comment of an item (Item set).
func (d Decision) Validate() error {
	switch d.Action {
	case Approve, RequestChanges, Reject:
	default:
		return fault.Field("decision", fault.OneOf, "approve, request_changes, reject")
	}
	comment := strings.TrimSpace(d.Comment)
	if d.Action != Approve && comment == "" {
		return fault.Field("comment", fault.Required)
	}
	if utf8.RuneCountInString(comment) > MaxComment {
		return fault.Field("comment", fault.TooLong, MaxComment)
	}
	needs := false
	for _, it := range d.Items {
		if strings.TrimSpace(it.ItemID) == "" {
			return fault.Field("item", fault.Required)
		}
		if it.Verdict != Accepted && it.Verdict != NeedsChange {
			return fault.ItemField(it.ItemID, "verdict", fault.OneOf, "accepted, needs_change")
		}
		if utf8.RuneCountInString(it.Comment) > MaxComment {
			return fault.ItemField(it.ItemID, "comment", fault.TooLong, MaxComment)
		}
		needs = needs || it.Verdict == NeedsChange
	}
	if d.Action == RequestChanges && !needs && len(d.Items) > 0 {
		return fault.Field("verdict", fault.NoGap)
	}
	return nil
}
