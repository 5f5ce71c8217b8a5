package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
)

// FieldDiff is one field of an item as it stood at the last review and as it
// stands now. Field is answer, note, plan.measure, plan.owner, plan.due or
// plan.status.
type FieldDiff struct {
	Field string
	Old   string
	New   string
}

// ItemDiff is what the firm changed in one item since the last review.
type ItemDiff struct {
	Fields          []FieldDiff
	EvidenceAdded   []string // "name (size, sha256)" as the history records it
	EvidenceRemoved []string
}

// Diff is what changed in an assessment since an auditor last returned it.
type Diff struct {
	Since time.Time           // the decision the changes are measured from
	Items map[string]ItemDiff // by item id; items without a net change are absent
}

// ChangesSinceReturn returns, item by item, what the firm changed after the
// latest "request changes" decision on an assessment actor may see. A field
// changed and then changed back is not a change. Without such a decision the
// Diff is empty with a zero Since.
//
// It reads the change history, which records every save of an answer, note,
// plan field and evidence file with the old and new value, so it needs no
// copy of the sheet taken at review time.
func (s *Store) ChangesSinceReturn(ctx context.Context, actor *User, id uint) (Diff, error) {
	db := s.db.WithContext(ctx)
	out := Diff{Items: map[string]ItemDiff{}}
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return out, translate(err, "assessment %d", id)
	}
	var tr Transition
	err := db.Where("assessment_id = ? AND to_state = ?", id, string(assessment.ChangesRequested)).Order("id DESC").First(&tr).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return out, nil
	}
	if err != nil {
		return out, translate(err, "last return of assessment %d", id)
	}
	out.Since = tr.At
	var changes []Change
	if err := db.Where("assessment_id = ? AND at > ?", id, tr.At).Order("id").Find(&changes).Error; err != nil {
		return out, translate(err, "changes of assessment %d", id)
	}
	type key struct{ item, field string }
	first, last := map[key]string{}, map[key]string{}
	var order []key
	added, removed := map[string][]string{}, map[string][]string{}
	for _, c := range changes {
		if c.Field == "evidence" {
			// An upload has only a new value, a removal only an old one; a
			// file uploaded and removed again cancels out.
			switch {
			case c.NewValue != "":
				added[c.ItemID] = append(added[c.ItemID], c.NewValue)
			case c.OldValue != "":
				if i := slices.Index(added[c.ItemID], c.OldValue); i >= 0 {
					added[c.ItemID] = slices.Delete(added[c.ItemID], i, i+1)
				} else {
					removed[c.ItemID] = append(removed[c.ItemID], c.OldValue)
				}
			}
			continue
		}
		k := key{c.ItemID, c.Field}
		if _, seen := first[k]; !seen {
			first[k] = c.OldValue
			order = append(order, k)
		}
		last[k] = c.NewValue
	}
	for _, k := range order {
		if first[k] == last[k] {
			continue
		}
		d := out.Items[k.item]
		d.Fields = append(d.Fields, FieldDiff{Field: k.field, Old: first[k], New: last[k]})
		out.Items[k.item] = d
	}
	for item, files := range added {
		if len(files) > 0 {
			d := out.Items[item]
			d.EvidenceAdded = files
			out.Items[item] = d
		}
	}
	for item, files := range removed {
		d := out.Items[item]
		d.EvidenceRemoved = files
		out.Items[item] = d
	}
	return out, nil
}
