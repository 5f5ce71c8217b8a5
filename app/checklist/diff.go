package checklist

import (
	"reflect"
	"slices"
)

// CatalogDiff is what changed between two versions of the catalog, item by
// item: the follow-up cycle marks items "new" or "changed" from it.
type CatalogDiff struct {
	Themes  []ThemeChange // themes added, removed or with a new version
	Added   []DiffItem    // in the new catalog only
	Removed []DiffItem    // in the old catalog only
	Changed []DiffItem    // in both, with Fields saying what differs
}

// ThemeChange is a theme whose version differs; an empty version means the
// theme is absent on that side.
type ThemeChange struct {
	ID, Old, New string
}

// DiffItem is one item of a diff: the theme holding it (the new one when it
// moved) and, for a changed item, the fields that differ in ItemFields order.
type DiffItem struct {
	Theme  *Checklist
	Item   Item
	Fields []string
}

// ItemFields are the fields Diff compares, in the order it reports them.
// "theme" and "section" mean the item moved.
var ItemFields = []string{"theme", "section", "text", "guidance", "basis", "evidence", "weight", "severity",
	"applies_to", "evidence_required", "refs"}

type located struct {
	cl      *Checklist
	section string
	it      Item
}

func itemsByID(c *Catalog) ([]string, map[string]located) {
	var ids []string
	m := map[string]located{}
	for _, cl := range c.Checklists {
		for _, s := range cl.Sections {
			for _, it := range s.Items {
				ids = append(ids, it.ID)
				m[it.ID] = located{cl, s.ID, it}
			}
		}
	}
	return ids, m
}

// Diff compares two catalogs by item id. Items come out in catalog order:
// added and changed ones in the new catalog's, removed ones in the old's.
func Diff(older, newer *Catalog) CatalogDiff {
	var d CatalogDiff
	for _, cl := range newer.Checklists {
		prev, ok := older.Get(cl.ID)
		switch {
		case !ok:
			d.Themes = append(d.Themes, ThemeChange{ID: cl.ID, New: cl.Version})
		case prev.Version != cl.Version:
			d.Themes = append(d.Themes, ThemeChange{ID: cl.ID, Old: prev.Version, New: cl.Version})
		}
	}
	for _, cl := range older.Checklists {
		if _, ok := newer.Get(cl.ID); !ok {
			d.Themes = append(d.Themes, ThemeChange{ID: cl.ID, Old: cl.Version})
		}
	}
	oldIDs, was := itemsByID(older)
	newIDs, is := itemsByID(newer)
	for _, id := range newIDs {
		n := is[id]
		o, ok := was[id]
		if !ok {
			d.Added = append(d.Added, DiffItem{Theme: n.cl, Item: n.it})
			continue
		}
		if f := changedFields(o, n); len(f) > 0 {
			d.Changed = append(d.Changed, DiffItem{Theme: n.cl, Item: n.it, Fields: f})
		}
	}
	for _, id := range oldIDs {
		if _, ok := is[id]; !ok {
			o := was[id]
			d.Removed = append(d.Removed, DiffItem{Theme: o.cl, Item: o.it})
		}
	}
	return d
}

func changedFields(o, n located) []string {
	a, b := o.it, n.it
	differs := map[string]bool{
		"theme":             o.cl.ID != n.cl.ID,
		"section":           o.section != n.section,
		"text":              a.Text != b.Text,
		"guidance":          a.Guidance != b.Guidance,
		"basis":             !basisEqual(o.cl, a, n.cl, b),
		"evidence":          a.Evidence != b.Evidence,
		"weight":            a.Weight != b.Weight,
		"severity":          a.Severity != b.Severity,
		"applies_to":        !slices.Equal(a.AppliesTo, b.AppliesTo),
		"evidence_required": a.EvidenceRequired != b.EvidenceRequired,
		"refs":              !slices.Equal(a.Refs, b.Refs),
	}
	var out []string
	for _, f := range ItemFields {
		if differs[f] {
			out = append(out, f)
		}
	}
	return out
}

// basisEqual compares two items' bases by what they cite: a source id is
// local to its file, so the sources' titles are compared, not their ids.
func basisEqual(ca *Checklist, a Item, cb *Checklist, b Item) bool {
	if len(a.Basis) != len(b.Basis) {
		return false
	}
	for i := range a.Basis {
		if a.Basis[i].Article != b.Basis[i].Article ||
			!reflect.DeepEqual(ca.Source(a.Basis[i].Source).Title, cb.Source(b.Basis[i].Source).Title) {
			return false
		}
	}
	return true
}
