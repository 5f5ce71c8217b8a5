// Package assessment is one firm's self-examination as the domain sees it:
// the checklists frozen when it started, the answers so far, and what follows
// from them (progress, score, what is missing before submit). It has no
// database or HTTP code, so it is tested on plain values.
package assessment

import (
	"errors"
	"fmt"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// State is where an assessment stands in its workflow.
type State string

// The states: draft → submitted → changes requested (by an auditor) →
// resubmitted → approved or rejected.
const (
	Draft            State = "draft"
	Submitted        State = "submitted"
	ChangesRequested State = "changes_requested"
	Resubmitted      State = "resubmitted"
	Approved         State = "approved"
	Rejected         State = "rejected"
)

// States lists every state in workflow order.
var States = []State{Draft, Submitted, ChangesRequested, Resubmitted, Approved, Rejected}

// Action moves an assessment from one state to another.
type Action string

// The actions: the firm submits; an auditor approves, requests changes or rejects.
const (
	Submit         Action = "submit"
	Approve        Action = "approve"
	RequestChanges Action = "request_changes"
	Reject         Action = "reject"
)

// ErrTransition is returned for an action the state does not allow.
var ErrTransition = errors.New("assessment: action not allowed in this state")

// Next returns the state an action leads to from s.
func Next(s State, a Action) (State, error) {
	switch {
	case a == Submit && s == Draft:
		return Submitted, nil
	case a == Submit && s == ChangesRequested:
		return Resubmitted, nil
	case (s == Submitted || s == Resubmitted) && a == Approve:
		return Approved, nil
	case (s == Submitted || s == Resubmitted) && a == RequestChanges:
		return ChangesRequested, nil
	case (s == Submitted || s == Resubmitted) && a == Reject:
		return Rejected, nil
	}
	return s, fmt.Errorf("%w: %s from %s", ErrTransition, a, s)
}

// EditableState reports whether the firm may change answers in state s:
// a draft, or one an auditor returned for changes.
func EditableState(s State) bool { return s == Draft || s == ChangesRequested }

// Answer is a firm's answer to one item. Version counts its saves (0 when
// never answered), so a save made against an older version can be refused.
type Answer struct {
	Value     scoring.Answer
	Note      string
	Version   int
	UpdatedAt time.Time
	UpdatedBy string
	// Carried says the answer was carried over from the firm's earlier
	// assessment; Confirmed that the firm has saved it since, changed or
	// not. Until then it is the last cycle's word, not this one's.
	Carried   bool
	Confirmed bool
}

// ToConfirm reports whether the answer was carried over and not yet
// confirmed: it blocks submission (BlockUnconfirmed).
func (a Answer) ToConfirm() bool { return a.Carried && !a.Confirmed }

// Sheet is an assessment with everything needed to show, score or report
// it, or, loaded for a hot path, with only some of it: Parts says which.
type Sheet struct {
	Parts       Parts // what its loader filled (sheetparts.go)
	ID          uint
	FirmID      uint
	FirmName    string
	CreditCode  string
	State       State
	CreatedAt   time.Time
	SubmittedAt *time.Time
	RectifiedOn string                 // the day its last plan was verified (整改完成), "" until then
	Profile     checklist.Profile      // the firm's profile when the assessment started
	Checklists  []*checklist.Checklist // snapshots cut to the items that apply, in the order chosen
	Excluded    []Ref                  // items of the snapshots that do not apply to Profile
	Answers     map[string]Answer      // by item id
	Plans       map[string]Plan        // rectification plans, by item id
	Evidence    map[string][]Evidence  // evidence files, by item id
	Campaign    *Campaign              // nil when started outside a campaign
	CarriedFrom uint                   // the earlier assessment it was carried over from; 0 for none
}

// Editable reports whether the firm may still change answers.
func (s *Sheet) Editable() bool { return EditableState(s.State) }

// Find returns the checklist and item with the given item id.
func (s *Sheet) Find(itemID string) (*checklist.Checklist, checklist.Item, bool) {
	for _, cl := range s.Checklists {
		for it := range cl.EachItem() {
			if it.ID == itemID {
				return cl, *it, true
			}
		}
	}
	return nil, checklist.Item{}, false
}

// Progress is how many items of an assessment are answered, overall and by
// theme: what an autosave reports back.
type Progress struct {
	Answered, Total int
	Themes          []ThemeProgress
}

// ThemeProgress is the progress of one theme (one checklist).
type ThemeProgress struct {
	ID              string
	Answered, Total int
}

// Progress is the sheet's progress, as its Result counts it.
func (s *Sheet) Progress() Progress {
	r := s.Result()
	p := Progress{Answered: r.Answered, Total: r.Total, Themes: make([]ThemeProgress, len(r.Themes))}
	for i, t := range r.Themes {
		p.Themes[i] = ThemeProgress{ID: t.ID, Answered: t.Answered, Total: t.Total}
	}
	return p
}

// Result scores the sheet as it stands.
func (s *Sheet) Result() scoring.Result {
	themes := make([]scoring.Theme, len(s.Checklists))
	for i, cl := range s.Checklists {
		t := scoring.Theme{ID: cl.ID, Items: make([]scoring.Item, 0, cl.Len())}
		for it := range cl.EachItem() {
			t.Items = append(t.Items, scoring.Item{
				Weight:   it.Weight,
				Critical: it.Severity == checklist.Critical,
				Answer:   s.Answers[it.ID].Value,
			})
		}
		themes[i] = t
	}
	return scoring.Compute(themes)
}

// Ref points at one item of a sheet, with the checklist it belongs to.
type Ref struct {
	Checklist *checklist.Checklist
	Item      checklist.Item
}

// Missing lists the items without an answer, in checklist order.
func (s *Sheet) Missing() []Ref {
	var out []Ref
	for _, cl := range s.Checklists {
		for it := range cl.EachItem() {
			if s.Answers[it.ID].Value == scoring.Unanswered {
				out = append(out, Ref{cl, *it})
			}
		}
	}
	return out
}

// Gaps lists the items answered partially or non-compliant, most severe first
// and otherwise in checklist order.
func (s *Sheet) Gaps() []Ref {
	var out []Ref
	// Sections are walked, not cl.Items(), which copies every item into a
	// new slice: a report asks for the gaps five times, a severity at a time.
	for _, sev := range checklist.Severities {
		for _, cl := range s.Checklists {
			for _, sec := range cl.Sections {
				for _, it := range sec.Items {
					if it.Severity == sev && s.Answers[it.ID].Value.IsGap() {
						out = append(out, Ref{cl, it})
					}
				}
			}
		}
	}
	return out
}
