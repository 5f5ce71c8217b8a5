package checklist

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"selfcheck/app/clean"
)

// Problem is one thing wrong in a checklist file, with where it is.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// Problems is the error Load returns: every problem found, not just the first.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// FileSummary describes one valid file, for `selfcheck checklists validate`.
type FileSummary struct {
	File      string
	Checklist *Checklist
	Sections  int
	Items     int
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Load reads every *.yaml file in dir of fsys. It is strict: unknown keys,
// duplicate ids, missing Chinese or English text, weights out of range,
// unknown applies_to tags and empty sections are all errors, and every one found is returned as Problems. File names in
// problems are dir-relative paths joined with dir, as a user would type them.
func Load(fsys fs.FS, dir string) (*Catalog, []FileSummary, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, nil, fmt.Errorf("checklist: list %s: %w", dir, err)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, nil, Problems{{File: dir, Msg: "no checklist files (*.yaml) found"}}
	}
	var (
		probs     Problems
		cat       Catalog
		summaries []FileSummary
		itemSeen  = map[string]string{} // item id -> file:line of first definition
		themeSeen = map[string]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			probs = append(probs, Problem{File: name, Msg: err.Error()})
			continue
		}
		p := &parser{file: name, itemSeen: itemSeen}
		cl := p.parse(data)
		if cl != nil && cl.ID != "" {
			if first, dup := themeSeen[cl.ID]; dup {
				p.add(0, "duplicate checklist id %q (first defined in %s)", cl.ID, first)
			} else {
				themeSeen[cl.ID] = name
			}
		}
		if len(p.probs) > 0 {
			probs = append(probs, p.probs...)
			continue
		}
		n := 0
		for _, s := range cl.Sections {
			n += len(s.Items)
		}
		cat.Checklists = append(cat.Checklists, cl)
		summaries = append(summaries, FileSummary{File: name, Checklist: cl, Sections: len(cl.Sections), Items: n})
	}
	if len(probs) > 0 {
		return nil, summaries, probs
	}
	sortChecklists(cat.Checklists)
	return &cat, summaries, nil
}

type parser struct {
	file     string
	probs    Problems
	itemSeen map[string]string
}

func (p *parser) add(line int, format string, args ...any) {
	p.probs = append(p.probs, Problem{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parse(data []byte) *Checklist {
	root, line, err := parseYAML(data)
	if err != nil {
		p.add(line, "%s", err.Error())
		return nil
	}
	cl := &Checklist{}
	p.fields(root, "checklist", []field{
		{"id", true, func(n *node) {
			cl.ID = p.id(n, "checklist id")
			if want := strings.TrimSuffix(path.Base(p.file), ".yaml"); cl.ID != "" && cl.ID != want {
				p.add(n.line, "checklist id %q must match the file name %q", cl.ID, want+".yaml")
			}
		}},
		{"version", true, func(n *node) { cl.Version = p.str(n, "version") }},
		{"order", false, func(n *node) { cl.Order = p.order(n) }},
		{"title", true, func(n *node) { cl.Title = p.text(n, "title") }},
		{"description", false, func(n *node) { cl.Description = p.text(n, "description") }},
		{"sources", true, func(n *node) { cl.Sources = p.sources(n) }},
		{"sections", true, func(n *node) { cl.Sections = p.sections(n, cl) }},
	})
	p.checkBasis(cl, root)
	return cl
}

type field struct {
	key      string
	required bool
	parse    func(*node)
}

// fields checks that n is a mapping holding only the given keys, each once,
// with the required ones present, and hands each value to its parser.
func (p *parser) fields(n *node, what string, spec []field) {
	if n.kind != mappingNode {
		p.add(n.line, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i, k := range n.keys {
		v := n.items[i]
		var f *field
		for j := range spec {
			if spec[j].key == k.value {
				f = &spec[j]
			}
		}
		switch {
		case f == nil:
			p.add(k.line, "unknown key %q in %s (allowed: %s)", k.value, what, allowed(spec))
		case seen[k.value]:
			p.add(k.line, "key %q repeated in %s", k.value, what)
		default:
			seen[k.value] = true
			f.parse(v)
		}
	}
	for _, f := range spec {
		if f.required && !seen[f.key] {
			p.add(n.line, "%s is missing %q", what, f.key)
		}
	}
}

func allowed(spec []field) string {
	keys := make([]string, len(spec))
	for i, f := range spec {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

func (p *parser) str(n *node, what string) string {
	if n.unknown != "" {
		p.add(n.line, "%s", n.unknown)
		return ""
	}
	if n.kind != scalarNode || n.null {
		p.add(n.line, "%s must be a string", what)
		return ""
	}
	v := strings.TrimSpace(clean.Text(n.value))
	if v == "" {
		p.add(n.line, "%s is empty", what)
	}
	return v
}

func (p *parser) id(n *node, what string) string {
	v := p.str(n, what)
	if v != "" && !idPattern.MatchString(v) {
		p.add(n.line, "%s %q must be lowercase letters, digits and dashes", what, v)
	}
	return v
}

// text reads a bilingual field. The catalog is bilingual: both zh and en
// are required, Chinese being the reference text.
func (p *parser) text(n *node, what string) Text {
	var t Text
	p.fields(n, what, []field{
		{"zh", true, func(v *node) { t.ZH = p.str(v, what+" zh text") }},
		{"en", true, func(v *node) { t.EN = p.str(v, what+" en text") }},
	})
	return t
}

func (p *parser) list(n *node, what string) []*node {
	if n.kind != sequenceNode {
		p.add(n.line, "%s must be a list", what)
		return nil
	}
	if len(n.items) == 0 {
		p.add(n.line, "%s is empty", what)
	}
	return n.items
}

func (p *parser) sources(n *node) []Source {
	var out []Source
	seen := map[string]bool{}
	for _, sn := range p.list(n, "sources") {
		var s Source
		p.fields(sn, "source", []field{
			{"id", true, func(v *node) { s.ID = p.id(v, "source id") }},
			{"title", true, func(v *node) { s.Title = p.text(v, "source title") }},
			{"issuer", false, func(v *node) { s.Issuer = p.str(v, "issuer") }},
			{"date", false, func(v *node) { s.Date = p.date(v) }},
		})
		if s.ID != "" && seen[s.ID] {
			p.add(sn.line, "duplicate source id %q", s.ID)
		}
		seen[s.ID] = true
		out = append(out, s)
	}
	return out
}

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (p *parser) date(n *node) string {
	v := p.str(n, "date")
	if v != "" && !datePattern.MatchString(v) {
		p.add(n.line, "date %q must be YYYY-MM-DD", v)
	}
	return v
}

func (p *parser) sections(n *node, cl *Checklist) []Section {
	var out []Section
	seen := map[string]bool{}
	for _, sn := range p.list(n, "sections") {
		var s Section
		p.fields(sn, "section", []field{
			{"id", true, func(v *node) { s.ID = p.id(v, "section id") }},
			{"title", true, func(v *node) { s.Title = p.text(v, "section title") }},
			{"items", true, func(v *node) { s.Items = p.items(v, s.ID) }},
		})
		if s.ID != "" && seen[s.ID] {
			p.add(sn.line, "duplicate section id %q", s.ID)
		}
		seen[s.ID] = true
		out = append(out, s)
	}
	return out
}

func (p *parser) items(n *node, section string) []Item {
	if n.kind == sequenceNode && len(n.items) == 0 || n.kind == scalarNode && n.null {
		p.add(n.line, "section %q has no items", section)
		return nil
	}
	var out []Item
	for _, in := range p.list(n, "items") {
		it := Item{}
		p.fields(in, "item", []field{
			{"id", true, func(v *node) { it.ID = p.id(v, "item id") }},
			{"text", true, func(v *node) { it.Text = p.text(v, "item text") }},
			{"guidance", true, func(v *node) { it.Guidance = p.text(v, "guidance") }},
			{"basis", true, func(v *node) { it.Basis = p.basis(v) }},
			{"evidence", true, func(v *node) { it.Evidence = p.text(v, "evidence") }},
			{"weight", true, func(v *node) { it.Weight = p.weight(v) }},
			{"severity", true, func(v *node) { it.Severity = p.severity(v) }},
			{"applies_to", false, func(v *node) { it.AppliesTo = p.tags(v) }},
			{"evidence_required", false, func(v *node) { it.EvidenceRequired = p.boolean(v, "evidence_required") }},
			{"refs", false, func(v *node) { it.Refs = p.refs(v) }},
		})
		if it.ID != "" {
			where := fmt.Sprintf("%s:%d", p.file, in.line)
			if first, dup := p.itemSeen[it.ID]; dup {
				p.add(in.line, "duplicate item id %q (first defined at %s)", it.ID, first)
			} else {
				p.itemSeen[it.ID] = where
			}
		}
		out = append(out, it)
	}
	return out
}

func (p *parser) basis(n *node) []Basis {
	var out []Basis
	for _, bn := range p.list(n, "basis") {
		var b Basis
		p.fields(bn, "basis", []field{
			{"source", true, func(v *node) { b.Source = p.id(v, "basis source") }},
			{"article", false, func(v *node) { b.Article = p.text(v, "article") }},
		})
		out = append(out, b)
	}
	return out
}

func (p *parser) refs(n *node) []Ref {
	var out []Ref
	seen := map[Ref]bool{}
	for _, rn := range p.list(n, "refs") {
		v := p.str(rn, "ref")
		if v == "" {
			continue
		}
		r, msg := ParseRef(v)
		switch {
		case msg != "":
			p.add(rn.line, "%s", msg)
		case seen[r]:
			p.add(rn.line, "ref %q repeated", v)
		default:
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

func (p *parser) weight(n *node) int {
	w, err := strconv.Atoi(n.value)
	if n.kind != scalarNode || err != nil {
		p.add(n.line, "weight must be a whole number from 1 to 5")
		return 0
	}
	if w < 1 || w > 5 {
		p.add(n.line, "weight %d is out of range 1–5", w)
	}
	return w
}

func (p *parser) boolean(n *node, what string) bool {
	switch n.value {
	case "true":
		return true
	case "false":
		return false
	}
	p.add(n.line, "%s must be true or false", what)
	return false
}

func (p *parser) order(n *node) int {
	o, err := strconv.Atoi(n.value)
	if n.kind != scalarNode || err != nil || o < 1 {
		p.add(n.line, "order must be a whole number from 1")
		return 0
	}
	return o
}

func (p *parser) tags(n *node) []Tag {
	var out []Tag
	seen := map[Tag]bool{}
	for _, tn := range p.list(n, "applies_to") {
		t := Tag(p.str(tn, "applies_to tag"))
		switch {
		case t == "":
		case !KnownTag(t):
			p.add(tn.line, "unknown applies_to tag %q (known: %s)", t, knownTags())
		case seen[t]:
			p.add(tn.line, "applies_to tag %q repeated", t)
		default:
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func knownTags() string {
	names := make([]string, len(Tags))
	for i, t := range Tags {
		names[i] = string(t.Tag)
	}
	return strings.Join(names, ", ")
}

func (p *parser) severity(n *node) Severity {
	s := Severity(p.str(n, "severity"))
	if s != "" && !s.Valid() {
		p.add(n.line, "severity %q must be one of critical, high, medium, low", s)
	}
	return s
}

// checkBasis reports basis entries citing a source the file does not declare.
func (p *parser) checkBasis(cl *Checklist, root *node) {
	declared := map[string]bool{}
	for _, s := range cl.Sources {
		declared[s.ID] = true
	}
	// Walk the node tree again for line numbers: the parsed structs carry none.
	var walk func(n *node)
	walk = func(n *node) {
		if n.kind == mappingNode {
			for i, k := range n.keys {
				v := n.items[i]
				if k.value == "basis" && v.kind == sequenceNode {
					for _, b := range v.items {
						src := mapValue(b, "source")
						if src != nil && src.value != "" && !declared[src.value] {
							p.add(src.line, "basis cites source %q, which is not declared under sources", src.value)
						}
					}
					continue
				}
				walk(v)
			}
		}
		if n.kind == sequenceNode {
			for _, c := range n.items {
				walk(c)
			}
		}
	}
	walk(root)
}

func mapValue(n *node, key string) *node {
	if n.kind != mappingNode {
		return nil
	}
	for i, k := range n.keys {
		if k.value == key {
			return n.items[i]
		}
	}
	return nil
}

// sortChecklists orders themes by their order key (those without one last),
// then by id, so the catalog reads in the campaign's order.
func sortChecklists(cls []*Checklist) {
	key := func(c *Checklist) int {
		if c.Order == 0 {
			return 1 << 30
		}
		return c.Order
	}
	sort.SliceStable(cls, func(i, j int) bool {
		if key(cls[i]) != key(cls[j]) {
			return key(cls[i]) < key(cls[j])
		}
		return cls[i].ID < cls[j].ID
	})
}
