package web

import (
	"net/http"
	"net/url"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// A focused view of the fill-in page shows the items one filter keeps,
// within one theme or all of them: ?filter=NAME&theme=ID, plain links, so
// they work without JavaScript. With neither, the page opens at the work
// left (defaultView) rather than at all 120 items at once.

// fillFilter is a named view of the fill-in page: the items for which Shows
// is true. Adding a view is adding an entry to fillFilters (and its label,
// "view.filter.NAME", to the catalogs); Shows may read anything the page
// holds.
type fillFilter struct {
	Name  string
	Shows func(p *fillPage, it *checklist.Item) bool
}

// fillFilters are the views, in the order the page links them.
var fillFilters = []fillFilter{
	{Name: "mine", Shows: func(p *fillPage, it *checklist.Item) bool {
		return p.Team != nil && p.Team.Me != 0 && p.Team.Asg.Of[it.ID].UserID == p.Team.Me
	}},
	{Name: "to_confirm", Shows: func(p *fillPage, it *checklist.Item) bool { return p.storedAnswer(it.ID).ToConfirm() }},
	{Name: "unanswered", Shows: func(p *fillPage, it *checklist.Item) bool {
		return p.storedAnswer(it.ID).Value == scoring.Unanswered
	}},
	{Name: "gaps", Shows: func(p *fillPage, it *checklist.Item) bool { return p.storedAnswer(it.ID).Value.IsGap() }},
	{Name: "flagged", Shows: func(p *fillPage, it *checklist.Item) bool { return p.Flagged(it.ID) }},
	{Name: "commented", Shows: func(p *fillPage, it *checklist.Item) bool { return p.Team != nil && len(p.Team.Threads[it.ID]) > 0 }},
	{Name: "all", Shows: func(*fillPage, *checklist.Item) bool { return true }},
}

func findFillFilter(name string) (fillFilter, bool) {
	for _, f := range fillFilters {
		if f.Name == name {
			return f, true
		}
	}
	return fillFilter{}, false
}

// focusView is the view a fill-in page shows and the links to the others.
type focusView struct {
	Filter  string // "" when the view is one theme's items
	Theme   string // "" for every theme
	Filters []viewLink
	AllHref string // the current filter over every theme
	Shown   int    // items on the page
	shows   func(p *fillPage, it *checklist.Item) bool
}

// viewLink is a link to a view with the number of items it shows.
type viewLink struct {
	Name    string
	Href    string
	Count   int
	Current bool
}

// Query is the view as URL parameters, "" for none; the form posts them
// back so a save returns to the same view.
func (v focusView) Query() string { return viewQuery(v.Filter, v.Theme) }

func viewQuery(filter, theme string) string {
	q := url.Values{}
	if filter != "" {
		q.Set("filter", filter)
	}
	if theme != "" {
		q.Set("theme", theme)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// chooseView validates the requested filter and theme of page (its Sheet,
// Result and Review set) and fills page.View. An unknown value is a 400
// naming it; neither given opens the default view.
func chooseView(page *fillPage, filter, theme string) error {
	sh := page.Sheet
	if theme != "" {
		if !hasTheme(sh, theme) {
			return fail(http.StatusBadRequest, "view.unknown_theme", theme)
		}
	}
	if filter != "" {
		if _, ok := findFillFilter(filter); !ok {
			return fail(http.StatusBadRequest, "view.unknown_filter", filter)
		}
	}
	if filter == "" && theme == "" {
		filter, theme = defaultView(page)
	}
	v := focusView{Filter: filter, Theme: theme}
	f, _ := findFillFilter(filter)
	if filter == "" {
		f, _ = findFillFilter("all")
	}
	v.shows = func(p *fillPage, it *checklist.Item) bool {
		if _, typed := p.stored[it.ID]; typed {
			return true // input a refused save brought back is never hidden
		}
		if _, typed := p.storedPlans[it.ID]; typed {
			return true
		}
		return f.Shows(p, it)
	}
	for _, ff := range fillFilters {
		l := viewLink{Name: ff.Name, Href: viewQuery(ff.Name, theme), Current: ff.Name == filter}
		for _, cl := range sh.Checklists {
			if theme != "" && cl.ID != theme {
				continue
			}
			for it := range cl.EachItem() {
				if ff.Shows(page, it) {
					l.Count++
				}
			}
		}
		v.Filters = append(v.Filters, l)
	}
	v.AllHref = viewQuery(filter, "")
	if v.AllHref == "" {
		v.AllHref = "?filter=all"
	}
	page.View = v
	return nil
}

// defaultView is where the page opens: the items the auditor flagged when
// they returned the assessment, else the first theme with unanswered
// items, else the first theme.
func defaultView(page *fillPage) (filter, theme string) {
	f, _ := findFillFilter("flagged")
	for _, cl := range page.Sheet.Checklists {
		for it := range cl.EachItem() {
			if f.Shows(page, it) {
				return "flagged", ""
			}
		}
	}
	for _, t := range page.Result.Themes {
		if t.Answered < t.Total {
			return "", t.ID
		}
	}
	if len(page.Sheet.Checklists) > 0 {
		return "", page.Sheet.Checklists[0].ID
	}
	return "all", ""
}

// Flagged reports whether the auditor marked the item "needs change" in the
// review that returned the assessment.
func (p *fillPage) Flagged(itemID string) bool {
	r, ok := p.Review.Items[itemID]
	return ok && r.Verdict == "needs_change"
}

// knownView is viewQuery of filter and theme where both are valid for sh,
// else "": a redirect never leads to an error page.
func knownView(sh *assessment.Sheet, filter, theme string) string {
	if _, ok := findFillFilter(filter); filter != "" && !ok {
		return ""
	}
	if theme != "" && !hasTheme(sh, theme) {
		return ""
	}
	return viewQuery(filter, theme)
}

func hasTheme(sh *assessment.Sheet, id string) bool {
	for _, cl := range sh.Checklists {
		if cl.ID == id {
			return true
		}
	}
	return false
}
