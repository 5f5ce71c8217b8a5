// Package checklist defines the self-examination checklists and loads them
// from YAML. It knows nothing of HTTP or the database: an assessment freezes a
// checklist by storing its JSON form (see Snapshot).
package checklist

import (
	"encoding/json"
	"fmt"
	"iter"
)

// Text is a bilingual string. Chinese is the reference text; English may be
// missing, in which case readers fall back to Chinese.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang ("zh" or "en"), falling back to Chinese.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// Severity says how much an item's failure matters. A critical item answered
// non-compliant fails the whole assessment (一票否决).
type Severity string

// The severities, from most to least serious.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Severities lists the valid severities, most serious first.
var Severities = []Severity{Critical, High, Medium, Low}

// Valid reports whether s is one of Severities.
func (s Severity) Valid() bool {
	for _, v := range Severities {
		if s == v {
			return true
		}
	}
	return false
}

// Source is a document a checklist draws on.
type Source struct {
	ID     string `json:"id"`
	Title  Text   `json:"title"`
	Issuer string `json:"issuer,omitempty"`
	Date   string `json:"date,omitempty"`
}

// Basis is one legal basis of an item: a source and, where confirmed, the article.
type Basis struct {
	Source  string `json:"source"`
	Article Text   `json:"article,omitzero"`
}

// Item is one thing to check.
type Item struct {
	ID       string   `json:"id"`
	Text     Text     `json:"text"`
	Guidance Text     `json:"guidance"`
	Basis    []Basis  `json:"basis"`
	Evidence Text     `json:"evidence"`
	Weight   int      `json:"weight"`
	Severity Severity `json:"severity"`
	// EvidenceRequired items cannot be submitted without an evidence file.
	EvidenceRequired bool `json:"evidence_required,omitempty"`
	// AppliesTo lists the profile tags that make the item apply; empty means
	// it applies to every firm.
	AppliesTo []Tag `json:"applies_to,omitempty"`
	// Refs are the standard clauses the item satisfies (国标对照).
	Refs []Ref `json:"refs,omitempty"`
}

// Applies reports whether the item applies to a firm whose profile holds
// the given tags: when it names no tag, or the profile has one it names.
func (it Item) Applies(profile Profile) bool {
	if len(it.AppliesTo) == 0 {
		return true
	}
	for _, t := range it.AppliesTo {
		if profile[t] {
			return true
		}
	}
	return false
}

// Section groups related items of a checklist.
type Section struct {
	ID    string `json:"id"`
	Title Text   `json:"title"`
	Items []Item `json:"items"`
}

// Checklist is one theme of the self-examination.
type Checklist struct {
	ID          string    `json:"id"`
	Order       int       `json:"order,omitempty"` // position in the catalog; ties by id
	Version     string    `json:"version"`
	Title       Text      `json:"title"`
	Description Text      `json:"description"`
	Sources     []Source  `json:"sources"`
	Sections    []Section `json:"sections"`
}

// Items returns every item of the checklist in order, in a new slice.
// Loops that only read them use EachItem, which copies nothing.
func (c *Checklist) Items() []Item {
	var out []Item
	for _, s := range c.Sections {
		out = append(out, s.Items...)
	}
	return out
}

// EachItem yields every item of the checklist in order, from the
// sections themselves: the fill-in page walks a sheet's items a dozen
// times, and copying them into new slices each time was a third of its
// allocations.
func (c *Checklist) EachItem() iter.Seq[*Item] {
	return func(yield func(*Item) bool) {
		for i := range c.Sections {
			for j := range c.Sections[i].Items {
				if !yield(&c.Sections[i].Items[j]) {
					return
				}
			}
		}
	}
}

// Len is the number of items of the checklist.
func (c *Checklist) Len() int {
	n := 0
	for _, s := range c.Sections {
		n += len(s.Items)
	}
	return n
}

// Source returns the source with the given id, or a zero Source.
func (c *Checklist) Source(id string) Source {
	for _, s := range c.Sources {
		if s.ID == id {
			return s
		}
	}
	return Source{ID: id, Title: Text{ZH: id}}
}

// BasisText renders an item's legal basis as one line, e.g.
// "中华人民共和国个人信息保护法 第十七条；…".
func (c *Checklist) BasisText(it Item, lang string) string {
	sep := "；"
	if lang == "en" {
		sep = "; "
	}
	out := ""
	for i, b := range it.Basis {
		if i > 0 {
			out += sep
		}
		out += c.Source(b.Source).Title.In(lang)
		if a := b.Article.In(lang); a != "" {
			out += " " + a
		}
	}
	return out
}

// ForProfile returns a copy of the checklist holding only the items that
// apply to profile (sections left empty are dropped), and the items left out.
func (c *Checklist) ForProfile(profile Profile) (*Checklist, []Item) {
	out := *c
	out.Sections = nil
	var left []Item
	for _, s := range c.Sections {
		kept := s
		kept.Items = nil
		for _, it := range s.Items {
			if it.Applies(profile) {
				kept.Items = append(kept.Items, it)
			} else {
				left = append(left, it)
			}
		}
		if len(kept.Items) > 0 {
			out.Sections = append(out.Sections, kept)
		}
	}
	return &out, left
}

// Snapshot returns the JSON form stored with an assessment, so that later
// edits of the YAML never change an assessment already started.
func (c *Checklist) Snapshot() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("checklist: snapshot %s: %w", c.ID, err)
	}
	return b, nil
}

// FromSnapshot restores a checklist stored with Snapshot.
func FromSnapshot(b []byte) (*Checklist, error) {
	var c Checklist
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("checklist: read snapshot: %w", err)
	}
	return &c, nil
}

// Catalog is the set of checklists available for new assessments.
type Catalog struct {
	Checklists []*Checklist
}

// Get returns the checklist with the given id.
func (c *Catalog) Get(id string) (*Checklist, bool) {
	for _, cl := range c.Checklists {
		if cl.ID == id {
			return cl, true
		}
	}
	return nil, false
}
