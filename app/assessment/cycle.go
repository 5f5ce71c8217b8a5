package assessment

import "selfcheck/app/checklist"

// Revision is how an item of a follow-up assessment differs from the
// earlier assessment it was carried over from.
type Revision struct {
	Mark string         // RevisionNew or RevisionChanged
	Old  checklist.Item // the item as the earlier assessment asked it (changed only)
}

// The revision marks.
const (
	RevisionNew     = "new"     // the earlier assessment's checklists did not have the item
	RevisionChanged = "changed" // its text differs from the earlier version's
)

// Revisions compares the checklists a follow-up assessment asks with the
// snapshots of the earlier assessment, by item id: items the earlier
// checklists lacked are new, items whose text changed are changed (other
// fields, such as a weight, do not change what the firm answered).
func Revisions(earlier, current []*checklist.Checklist) map[string]Revision {
	d := checklist.Diff(&checklist.Catalog{Checklists: earlier}, &checklist.Catalog{Checklists: current})
	out := map[string]Revision{}
	for _, it := range d.Added {
		out[it.Item.ID] = Revision{Mark: RevisionNew}
	}
	old := map[string]checklist.Item{}
	for _, cl := range earlier {
		for _, it := range cl.Items() {
			old[it.ID] = it
		}
	}
	for _, it := range d.Changed {
		for _, f := range it.Fields {
			if f == "text" {
				out[it.Item.ID] = Revision{Mark: RevisionChanged, Old: old[it.Item.ID]}
			}
		}
	}
	return out
}

// Why an assessment cannot start from the one named as carry_from (a
// fault.FieldError code on the field "carry_from").
const (
	CarryNoFollowUp   = "no_follow_up"  // the new assessment's campaign follows no earlier campaign
	CarryNotPrevious  = "not_previous"  // Args[0] is not of the campaign the new one follows
	CarryNotSubmitted = "not_submitted" // Args[0] was never submitted, or was rejected or returned (Args[1] its state)
)
