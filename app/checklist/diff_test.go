package checklist

import (
	"slices"
	"testing"
)

func diffCatalog(version string, items ...Item) *Catalog {
	cl := &Checklist{ID: "t", Version: version, Title: Text{ZH: "主题", EN: "Theme"},
		Sources:  []Source{{ID: "pipl", Title: Text{ZH: "个人信息保护法"}}},
		Sections: []Section{{ID: "s1", Items: items}}}
	return &Catalog{Checklists: []*Checklist{cl}}
}

type diffCase struct {
	name                    string
	old, new                *Catalog
	added, removed, changed []string
	fields                  []string // of the one changed item
	themes                  []ThemeChange
}

func TestDiff(t *testing.T) {
	base := Item{ID: "t-a", Text: Text{ZH: "甲", EN: "A"}, Weight: 2, Severity: High,
		Basis: []Basis{{Source: "pipl", Article: Text{ZH: "第十三条", EN: "Art. 13"}}}}
	other := Item{ID: "t-b", Text: Text{ZH: "乙"}, Weight: 1, Severity: Low}
	edit := func(f func(*Item)) Item { it := base; f(&it); return it }
	tests := []diffCase{
		{name: "same", old: diffCatalog("1", base), new: diffCatalog("1", base)},
		{name: "added and removed", old: diffCatalog("1", base), new: diffCatalog("2", other),
			added: []string{"t-b"}, removed: []string{"t-a"}, themes: []ThemeChange{{ID: "t", Old: "1", New: "2"}}},
		{name: "text and severity", old: diffCatalog("1", base),
			new:     diffCatalog("1", edit(func(it *Item) { it.Text.EN = "A, reworded"; it.Severity = Critical })),
			changed: []string{"t-a"}, fields: []string{"text", "severity"}},
		{name: "refs added", old: diffCatalog("1", base),
			new:     diffCatalog("1", edit(func(it *Item) { it.Refs = []Ref{{"gbt-35273", "5.4"}} })),
			changed: []string{"t-a"}, fields: []string{"refs"}},
		{name: "article changed", old: diffCatalog("1", base),
			new:     diffCatalog("1", edit(func(it *Item) { it.Basis = []Basis{{Source: "pipl", Article: Text{ZH: "第十四条", EN: "Art. 14"}}} })),
			changed: []string{"t-a"}, fields: []string{"basis"}},
		{name: "evidence required and applies_to", old: diffCatalog("1", base),
			new:     diffCatalog("1", edit(func(it *Item) { it.EvidenceRequired = true; it.AppliesTo = []Tag{"app"} })),
			changed: []string{"t-a"}, fields: []string{"applies_to", "evidence_required"}},
	}
	// A source renamed in its file but citing the same document is no change.
	renamed := diffCatalog("1", edit(func(it *Item) { it.Basis = []Basis{{Source: "pi-law", Article: base.Basis[0].Article}} }))
	renamed.Checklists[0].Sources[0].ID = "pi-law"
	tests = append(tests, diffCase{name: "source id renamed", old: diffCatalog("1", base), new: renamed})
	// An item moved to another section has moved.
	moved := diffCatalog("1", other)
	moved.Checklists[0].Sections = append(moved.Checklists[0].Sections, Section{ID: "s2", Items: []Item{base}})
	tests = append(tests, diffCase{name: "moved", old: diffCatalog("1", base, other), new: moved, changed: []string{"t-a"}, fields: []string{"section"}})

	ids := func(xs []DiffItem) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x.Item.ID)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Diff(tt.old, tt.new)
			if !slices.Equal(ids(d.Added), tt.added) || !slices.Equal(ids(d.Removed), tt.removed) || !slices.Equal(ids(d.Changed), tt.changed) {
				t.Errorf("added %v removed %v changed %v, want %v %v %v", ids(d.Added), ids(d.Removed), ids(d.Changed), tt.added, tt.removed, tt.changed)
			}
			if len(d.Changed) == 1 && !slices.Equal(d.Changed[0].Fields, tt.fields) {
				t.Errorf("fields = %v, want %v", d.Changed[0].Fields, tt.fields)
			}
			if !slices.Equal(d.Themes, tt.themes) {
				t.Errorf("themes = %v, want %v", d.Themes, tt.themes)
			}
		})
	}
}
