package web

import (
	"net/http"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
)

// The review page is built for triage: a summary at the top, and focused
// views (?filter=NAME&theme=ID, plain links) of the items to decide on.

// reviewFilter is a named view of the review page: the items for which
// Shows is true. Adding a view is adding an entry to reviewFilters (and its
// label, "view.filter.NAME", to the catalogs).
type reviewFilter struct {
	Name  string
	Shows func(p *reviewPage, it checklist.Item) bool
}

// reviewFilters are the review page's views, in the order it links them.
var reviewFilters = []reviewFilter{
	{Name: "gaps", Shows: func(p *reviewPage, it checklist.Item) bool { return p.Sheet.Answers[it.ID].Value.IsGap() }},
	{Name: "changed", Shows: func(p *reviewPage, it checklist.Item) bool { return p.HasChange(it.ID) }},
	{Name: "flagged", Shows: func(p *reviewPage, it checklist.Item) bool { return p.Flagged(it.ID) }},
	{Name: "commented", Shows: func(p *reviewPage, it checklist.Item) bool { return p.Team != nil && len(p.Team.Threads[it.ID]) > 0 }},
	{Name: "all", Shows: func(*reviewPage, checklist.Item) bool { return true }},
}

// severityCount is how many gaps of one severity the submission has.
type severityCount struct {
	Severity checklist.Severity
	Count    int
}

// themeLink is a link to one theme's items in the current filter.
type themeLink struct {
	ID      string
	Title   checklist.Text
	Href    string
	Count   int // items of the theme in the current filter
	Current bool
}

// Flagged reports whether the latest review marked the item "needs change".
func (p reviewPage) Flagged(item string) bool {
	r, ok := p.Last.Items[item]
	return ok && r.Verdict == "needs_change"
}

// Shown reports whether the page lists item.
func (p reviewPage) Shown(cl *checklist.Checklist, it checklist.Item) bool {
	if p.Theme != "" && cl.ID != p.Theme {
		return false
	}
	return p.filter.Shows(&p, it)
}

// ShowTheme reports whether the page lists any item of cl: a theme with
// none has no heading.
func (p reviewPage) ShowTheme(cl *checklist.Checklist) bool {
	for _, sec := range cl.Sections {
		for _, it := range sec.Items {
			if p.Shown(cl, it) {
				return true
			}
		}
	}
	return false
}

// chooseReviewView validates the requested view of page (its Sheet, Last
// and Diff set) and computes the summary and the links.
func chooseReviewView(page *reviewPage, filter, theme string) error {
	sh := page.Sheet
	if theme != "" && !hasTheme(sh, theme) {
		return fail(http.StatusBadRequest, "view.unknown_theme", theme)
	}
	if filter == "" {
		filter = "all"
	}
	found := false
	for _, f := range reviewFilters {
		if f.Name == filter {
			page.filter, found = f, true
		}
	}
	if !found {
		return fail(http.StatusBadRequest, "view.unknown_filter", filter)
	}
	page.Filter, page.Theme = filter, theme
	page.Result = sh.Result()
	gaps := map[checklist.Severity]int{}
	for _, cl := range sh.Checklists {
		link := themeLink{ID: cl.ID, Title: cl.Title, Href: reviewQuery(filter, cl.ID), Current: cl.ID == theme}
		for _, it := range cl.Items() {
			if sh.Answers[it.ID].Value.IsGap() {
				gaps[it.Severity]++
			}
			if page.Flagged(it.ID) && !page.HasChange(it.ID) {
				page.FlaggedOpen++
			}
			if page.filter.Shows(page, it) {
				link.Count++
			}
		}
		page.Themes = append(page.Themes, link)
	}
	for _, sev := range checklist.Severities {
		page.Gaps = append(page.Gaps, severityCount{Severity: sev, Count: gaps[sev]})
	}
	for _, f := range reviewFilters {
		l := viewLink{Name: f.Name, Href: reviewQuery(f.Name, theme), Current: f.Name == filter}
		for _, cl := range sh.Checklists {
			if theme != "" && cl.ID != theme {
				continue
			}
			for _, it := range cl.Items() {
				if f.Shows(page, it) {
					l.Count++
				}
			}
		}
		page.Filters = append(page.Filters, l)
	}
	page.AllThemesHref = reviewQuery(filter, "")
	return nil
}

// reviewQuery is viewQuery with "all" left out, the review page's default.
func reviewQuery(filter, theme string) string {
	if filter == "all" {
		filter = ""
	}
	if q := viewQuery(filter, theme); q != "" {
		return q
	}
	return "?filter=all"
}

// Veto reports whether a critical item answered non-compliant fails the
// submission whatever its score (一票否决).
func (p reviewPage) Veto() bool { return p.Result.CriticalFail }

// knownReviewView reports whether filter and theme name a view of sh's
// review page, so a refused decision comes back to it and never to an
// error page.
func knownReviewView(sh *assessment.Sheet, filter, theme string) bool {
	if theme != "" && !hasTheme(sh, theme) {
		return false
	}
	if filter == "" {
		return true
	}
	for _, f := range reviewFilters {
		if f.Name == filter {
			return true
		}
	}
	return false
}
