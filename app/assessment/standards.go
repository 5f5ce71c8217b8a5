package assessment

import (
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// Clause is one clause of a national standard with the items of a sheet that
// map there (国标对照), in checklist order, and how many of them are answered
// and how many are gaps.
type Clause struct {
	Ref      checklist.Ref
	Items    []Ref
	Answered int
	Gaps     int
}

// Standard groups a sheet's items by the clauses of one declared standard.
type Standard struct {
	Standard checklist.Standard
	Clauses  []Clause
	Items    int // distinct items mapped to any clause
	Gaps     int // distinct items among them answered as a gap
}

// ByStandard groups the sheet's items by standard and clause: standards in
// the order they are declared, clauses in the standard's own order, items in
// checklist order. An item mapped to two clauses is listed under both, but
// counted once in its standard's totals. Standards no item maps to are left
// out, as are references to a standard the running catalog no longer
// declares (a snapshot may predate its removal).
func (s *Sheet) ByStandard() []Standard {
	type key struct{ std, clause string }
	byClause := map[key]*Clause{}
	for _, cl := range s.Checklists {
		for _, sec := range cl.Sections {
			for _, it := range sec.Items {
				for _, r := range it.Refs {
					k := key{r.Standard, r.Clause}
					c := byClause[k]
					if c == nil {
						c = &Clause{Ref: r}
						byClause[k] = c
					}
					c.Items = append(c.Items, Ref{cl, it})
					v := s.Answers[it.ID].Value
					if v.IsGap() {
						c.Gaps++
					}
					if v != scoring.Unanswered {
						c.Answered++
					}
				}
			}
		}
	}
	var out []Standard
	for _, st := range checklist.Standards {
		g := Standard{Standard: st}
		items, gaps := map[string]bool{}, map[string]bool{}
		for _, num := range st.Clauses {
			c := byClause[key{st.ID, num}]
			if c == nil {
				continue
			}
			g.Clauses = append(g.Clauses, *c)
			for _, r := range c.Items {
				items[r.Item.ID] = true
				if s.Answers[r.Item.ID].Value.IsGap() {
					gaps[r.Item.ID] = true
				}
			}
		}
		if len(g.Clauses) == 0 {
			continue
		}
		g.Items, g.Gaps = len(items), len(gaps)
		out = append(out, g)
	}
	return out
}

// ItemGapCount is how many assessments answered an item non-compliant and
// how many partially compliant.
type ItemGapCount struct {
	ItemID       string
	NonCompliant int
	Partial      int
}

// ClauseGaps totals the gap counts of the items that map to one clause.
type ClauseGaps struct {
	Ref          checklist.Ref
	Items        []ItemGapCount
	NonCompliant int
	Partial      int
}

// GapsByClause totals gap counts by the clauses of standard std that each
// item maps to (refs gives an item's clauses), in the standard's clause
// order. An item mapped to two clauses counts under both; items with no
// clause of std, and clauses no gap maps to, are left out.
func GapsByClause(std checklist.Standard, refs func(itemID string) []checklist.Ref, counts []ItemGapCount) []ClauseGaps {
	byClause := map[string]*ClauseGaps{}
	for _, n := range counts {
		if n.NonCompliant == 0 && n.Partial == 0 {
			continue
		}
		for _, r := range refs(n.ItemID) {
			if r.Standard != std.ID {
				continue
			}
			g := byClause[r.Clause]
			if g == nil {
				g = &ClauseGaps{Ref: r}
				byClause[r.Clause] = g
			}
			g.Items = append(g.Items, n)
			g.NonCompliant += n.NonCompliant
			g.Partial += n.Partial
		}
	}
	var out []ClauseGaps
	for _, c := range std.Clauses {
		if g := byClause[c]; g != nil {
			out = append(out, *g)
		}
	}
	return out
}
