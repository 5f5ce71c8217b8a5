package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/workflow"
)

// The forms of team work are one per page, outside the page's big form:
// each item's and theme's controls name them with the form attribute, and
// the button pressed says which item or theme it is for (the other
// controls' values are ignored). So the fill-in page stays one form
// without JavaScript, and adds two small forms, not two per item.
const (
	assignFormID  = "team-assign"
	commentFormID = "team-comment"
	deleteFormID  = "team-comment-delete"
)

// teamView is what the pages show of team work on an assessment: who
// answers each theme and item, the threads, and what p may do.
type teamView struct {
	ID        uint
	Asg       workflow.Assignments
	Threads   map[string][]workflow.Comment
	Members   []workflow.Account
	CanAssign bool
	Me        uint
	Now       time.Time
	Back      string // "review" on the review page
}

// loadTeam reads the team work of the assessment id for p.
func (s *Server) loadTeam(c echo.Context, id uint, back string) (*teamView, error) {
	p := who(c)
	asg, all, members, err := s.Work.Team(c.Request().Context(), p, id, back == "")
	if err != nil {
		return nil, err
	}
	v := &teamView{ID: id, Asg: asg, Threads: map[string][]workflow.Comment{}, Me: p.ID, Now: s.Work.Now(), Back: back,
		Members: members, CanAssign: back == "" && workflow.MayAssign(p, asg)}
	for _, cm := range all {
		v.Threads[cm.ItemID] = append(v.Threads[cm.ItemID], cm)
	}
	return v, nil
}

// itemTeam is what the "item-team" partial renders: one item's assignee and thread.
type itemTeam struct {
	*Page
	T2       *teamView
	Item     string
	Assignee workflow.Assignee
	Own      bool // assigned to the item itself, not through its theme
	Thread   []workflow.Comment
	Editable bool // the assessment may be assigned (a draft or returned)
}

// Young reports whether the viewer wrote cm and may still delete it.
func (it itemTeam) Young(cm workflow.Comment) bool {
	return cm.UserID == it.T2.Me && !assessment.CommentFinal(cm.CreatedAt, it.T2.Now)
}

// For is the item's team part of the page, for templates.
func (v *teamView) For(p *Page, item string, editable bool) itemTeam {
	if v == nil {
		return itemTeam{Page: p, Item: item}
	}
	_, own := v.Asg.Items[item]
	return itemTeam{Page: p, T2: v, Item: item, Assignee: v.Asg.Of[item], Own: own, Thread: v.Threads[item], Editable: editable}
}

// themeTeam is what the "theme-team" partial renders: a theme's assignee.
type themeTeam struct {
	*Page
	T2       *teamView
	Theme    string
	Assignee workflow.Assignee
}

// renderTeamPart renders one of the team partials of the page set name.
func (s *Server) renderTeamPart(set, name string, data any) (template.HTML, error) {
	var b strings.Builder
	if err := s.pages.sets[set].ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("web: render %s: %w", name, err)
	}
	return template.HTML(b.String()), nil //nolint:gosec // rendered by html/template
}

// assign changes who answers one item or theme, from the small form the
// fill-in page shows beside each: the pressed button names the target,
// its select the member ("" clears).
func (s *Server) assign(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	target := c.FormValue("target")
	kind, name, _ := strings.Cut(target, ":")
	in := workflow.AssignmentInput{}
	switch kind {
	case "item":
		in.Item = name
	case "theme":
		in.Theme = name
	default:
		return fault.Field("target", fault.Required)
	}
	if email := strings.TrimSpace(c.FormValue("assignee." + target)); email != "" {
		in.User = &email
	}
	if err := s.Work.SetAssignments(c.Request().Context(), who(c), id, []workflow.AssignmentInput{in}); err != nil {
		return teamError(err)
	}
	flash(c, "team.assigned_flash")
	anchor := "item-" + name
	if kind == "theme" {
		anchor = "theme-" + name
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d#%s", id, anchor))
}

// teamError words the refusals of team work for the pages: the store's
// entry-numbered fields (of the API's batches) as the form's one field.
func teamError(err error) error {
	if fe, ok := fault.AsField(err); ok {
		if i := strings.LastIndexByte(fe.Field, '.'); i >= 0 && strings.HasPrefix(fe.Field, "assignments[") {
			return fault.Field(fe.Field[i+1:], fe.Code, fe.Args...)
		}
		return err
	}
	var ro *workflow.ReadOnlyError
	switch {
	case errors.As(err, &ro):
		return failBecause(err, http.StatusConflict, "error.read_only")
	case errors.Is(err, workflow.ErrUnknownItem):
		return failBecause(err, http.StatusNotFound, "error.unknown_item")
	case errors.Is(err, workflow.ErrCommentFinal):
		return failBecause(err, http.StatusConflict, "team.comment.final")
	}
	return err
}

// whereBack is the page a team form returns to: the review page for
// reviewers (and when the form says so), else the fill-in page.
func whereBack(c echo.Context, p access.Principal, id uint, item string) string {
	if c.FormValue("back") == "review" || !p.Role.InFirm() {
		return fmt.Sprintf("/assessments/%d/review%s", id, anchor(item))
	}
	return fmt.Sprintf("/assessments/%d%s", id, anchor(item))
}

// teamParts adds to the fill-in page's parts, after a theme's heading or an
// item, its team part. They are rendered for every view, not cached with
// the items: a change of assignee or a new comment must show at once.
func (s *Server) teamParts(page *fillPage, pg *Page, theme, item string) error {
	v := page.Team
	if v == nil {
		return nil
	}
	if theme == "" {
		return s.itemTeamPart(page, pg, item)
	}
	who := v.Asg.Themes[theme]
	if !v.CanAssign && who.UserID == 0 {
		return nil
	}
	key := fragmentKey{kind: themeTeamPart, item: theme, lang: pg.Lang, state: teamState(page, who, false)}
	html, err := s.fillItems.render(key, func(w *bytes.Buffer) error {
		return s.pages.sets["assessment"].ExecuteTemplate(w, "theme-team", themeTeam{Page: pg, T2: v, Theme: theme, Assignee: who})
	})
	if err != nil {
		return fmt.Errorf("web: render the team part of theme %s: %w", theme, err)
	}
	page.parts = append(page.parts, html)
	return nil
}

// teamState is everything a team part without a thread shows besides its
// texts and its item or theme: whether the viewer may assign, the firm's
// members the select offers, whether the sheet is editable, the assignee
// and whether the assignment is the item's own. The parts are cached with
// the items (fillItems) under it, so the page renders no partial for them
// once they are warm: a template's method calls cost more than the rest
// of such a part.
func teamState(page *fillPage, who workflow.Assignee, own bool) string {
	if page.teamMembers == "" {
		h := sha256.New()
		var b []byte
		for _, m := range page.Team.Members {
			b = binary.AppendUvarint(b[:0], uint64(m.ID))
			b = binary.AppendUvarint(b, uint64(len(m.Email)))
			b = append(b, m.Email...)
			b = binary.AppendUvarint(b, uint64(len(m.Name)))
			b = append(b, m.Name...)
			h.Write(b)
		}
		page.teamMembers = string(h.Sum(nil))
	}
	b := []byte(page.teamMembers)
	flag := func(on bool) {
		if on {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	flag(page.Team.CanAssign)
	flag(page.Sheet.Editable())
	flag(own)
	b = binary.AppendUvarint(b, uint64(who.UserID))
	b = append(b, who.Name...)
	return string(b)
}

// teamKey is what an item's team part depends on when its thread is empty.
type teamKey struct {
	assignee  uint
	own, edit bool
}

// itemMarker stands for the item id in a shared item-team part: item ids
// are [a-z0-9-] (checklist.idPattern), which no escaping changes, so the
// marker can be replaced by the id in every context of the part.
const itemMarker = "selfcheck-item-marker"

// itemTeamPart adds an item's team part to the page's parts. Most items
// have no comments: their part differs only in the item id and the
// assignee, so it is rendered once per (assignee, own assignment,
// editable), split where the id goes, and added as its pieces with the id
// between them; rendering the partial for each of 120 items tripled the
// page's CPU, and joining the pieces into a string per item was a third of
// the page's allocations.
func (s *Server) itemTeamPart(page *fillPage, pg *Page, item string) error {
	v, editable := page.Team, page.Sheet.Editable()
	if len(v.Threads[item]) > 0 {
		html, err := s.renderTeamPart("assessment", "item-team", v.For(pg, item, editable))
		if err != nil {
			return err
		}
		page.parts = append(page.parts, html)
		return nil
	}
	_, own := v.Asg.Items[item]
	key := teamKey{assignee: v.Asg.Of[item].UserID, own: own, edit: editable}
	pieces, ok := page.teamShared[key]
	if !ok {
		it := v.For(pg, item, editable)
		it.Item = itemMarker
		fk := fragmentKey{kind: itemTeamPart, lang: pg.Lang, state: teamState(page, it.Assignee, own)}
		html, err := s.fillItems.render(fk, func(w *bytes.Buffer) error {
			return s.pages.sets["assessment"].ExecuteTemplate(w, "item-team", it)
		})
		if err != nil {
			return fmt.Errorf("web: render an item's team part: %w", err)
		}
		for _, p := range strings.Split(string(html), itemMarker) {
			pieces = append(pieces, template.HTML(p)) //nolint:gosec // pieces of a part rendered by html/template
		}
		if page.teamShared == nil {
			page.teamShared = map[teamKey][]template.HTML{}
		}
		page.teamShared[key] = pieces
	}
	id := template.HTML(template.HTMLEscapeString(item)) //nolint:gosec // escaped
	for i, p := range pieces {
		if i > 0 {
			page.parts = append(page.parts, id)
		}
		page.parts = append(page.parts, p)
	}
	return nil
}

// myItems are the open items assigned to the viewer in one assessment.
type myItems struct {
	ID    uint
	Items []workflow.OpenItem
}

// myItems groups the viewer's open assigned items by assessment.
func (s *Server) myItems(c echo.Context) ([]myItems, error) {
	open, err := s.Work.MyOpenItems(c.Request().Context(), who(c))
	if err != nil {
		return nil, err
	}
	var out []myItems
	for _, it := range open {
		if len(out) == 0 || out[len(out)-1].ID != it.AssessmentID {
			out = append(out, myItems{ID: it.AssessmentID})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, it)
	}
	return out, nil
}

// anchor is the fragment that shows item ("" when none).
func anchor(item string) string {
	if item == "" {
		return ""
	}
	return "#item-" + item
}
