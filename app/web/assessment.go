package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

func assessmentID(c echo.Context) (uint, error) {
	return idParam(c, "id")
}

func idParam(c echo.Context, name string) (uint, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || id == 0 {
		return 0, fail(http.StatusNotFound, "error.not_found")
	}
	return uint(id), nil
}

func (s *Server) loadSheet(c echo.Context) (*assessment.Sheet, error) {
	id, err := assessmentID(c)
	if err != nil {
		return nil, err
	}
	return s.Work.Sheet(c.Request().Context(), who(c), id)
}

// createAssessment starts an assessment: for a campaign the firm takes part
// in (its themes), or with the themes chosen on the form.
func (s *Server) createAssessment(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	// The form always says which services the firm runs, none ticked
	// included; only the API leaves them out to mean the saved profile.
	profile := form["profile"]
	in := workflow.StartInput{Themes: form["theme"], Profile: &profile}
	if v := form.Get("campaign"); v != "" && v != "0" {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fail(http.StatusBadRequest, "error.bad_request")
		}
		in.Campaign = uint(id)
		// The start form offers, per follow-up campaign, to start from
		// the firm's assessment of the campaign it follows.
		if v := form.Get(fmt.Sprintf("carry_from.%d", in.Campaign)); v != "" {
			from, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return fail(http.StatusBadRequest, "error.bad_request")
			}
			in.CarryFrom = uint(from)
		}
	}
	id, err := s.Work.StartAssessment(c.Request().Context(), who(c), in)
	fe, _ := fault.AsField(err)
	switch {
	case fe != nil && fe.Field == "themes" && fe.Code == fault.Required:
		flash(c, "home.choose_theme")
		return c.Redirect(http.StatusSeeOther, "/")
	case fe != nil && fe.Field == "themes":
		return fail(http.StatusBadRequest, "error.unknown_theme", fe.Args...)
	case fe != nil && fe.Field == "profile":
		return fail(http.StatusBadRequest, "error.unknown_tag", fe.Args[0])
	case errors.Is(err, workflow.ErrNothingApplies):
		flash(c, "home.nothing_applies")
		return c.Redirect(http.StatusSeeOther, "/")
	case errors.Is(err, workflow.ErrAlreadyStarted):
		flash(c, "home.already_started")
		return c.Redirect(http.StatusSeeOther, "/")
	case errors.Is(err, workflow.ErrNotInCampaign):
		return fail(http.StatusNotFound, "error.not_found")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d", id))
}

// fillPage is the fill-in page: the sheet, its score so far, and after a
// refused save or submit what is wrong.
type fillPage struct {
	Sheet        *assessment.Sheet
	Result       scoring.Result
	Blockers     []assessment.Blocker
	Answers      []scoring.Answer
	PlanStatuses []assessment.PlanStatus
	Error        string
	Details      []string // the specific problems behind Error
	Today        string
	MaxEvidence  int64               // MiB
	Review       workflow.LastReview // the auditor's last decision, shown when it returned the assessment
	Labels       fillLabels          // the fixed texts of every item, in the page's language
	Excluded     template.HTML       // the items the profile leaves out, rendered (excludedPart)
	Progress     template.HTML       // progressMark, where the checklists' progress goes (splice)
	Views        template.HTML       // the links to the views, rendered (viewsPart)
	Head, Body   template.HTML       // the frame around the items, rendered (frameParts)
	Form         template.HTML       // formMark, where the checklists go (splice)
	View         focusView           // the focused view shown (fillview.go)
	Team         *teamView           // assignments and comment threads (assignments.go)
	// Revisions marks the items that are new or reworded since the
	// assessment this one was carried over from (the next cycle).
	Revisions map[string]assessment.Revision

	// The view asked for (?filter=, ?theme=, or the form's fields on a post).
	filter, theme string

	// The stored answers and plans of the items whose posted input the
	// sheet shows instead (renderFill); the others' are the sheet's.
	stored      map[string]assessment.Answer
	storedPlans map[string]assessment.Plan
	progress    []template.HTML             // each checklist's progress line, rendered
	parts       []template.HTML             // the checklists as the form shows them, rendered, in page order
	teamShared  map[teamKey][]template.HTML // item-team parts without a thread, rendered once, split at the item id (teamParts)
	teamMembers string                      // the digest of the members the team parts offer (teamState)
}

// The fill-in page shows some 120 items, each with a few dozen texts. Asked
// for one by one from the template, every text is a method call made by
// reflection (Page.T, Page.Text, …), and those calls were most of the
// page's cost. The texts are therefore looked up in Go, once per page for
// the fixed ones (fillLabels) and once per item for the others (fillItem),
// and the template only reads fields.

// fillLabels are the fixed texts of the items' forms.
type fillLabels struct {
	Details, Guidance, Basis, Evidence, Answer, Note                   string
	Refs                                                               string
	PlanHeading, PlanHelp, PlanMeasure, PlanOwner, PlanDue, PlanStatus string
	PlanOverdue, EvidenceRequired, EvidenceHeading, EvidenceNone       string
	EvidenceAdd                                                        string
	Validity                                                           validityLabels
	MaxNote                                                            int
	Choices                                                            []fillChoice // the answers offered
	PlanStatuses                                                       []fillChoice
}

// fillChoice is an option of a radio group or select, with its label.
type fillChoice struct {
	Value any
	Label string
}

// The checklists of the form are not in the page template's data: it
// writes formMark where they go, and renderFill puts there the parts
// fillView rendered (splice): for each checklist its heading, then for
// each section its title and its items. Each part is cached
// (fragmentCache) and copied once, straight into the response. The
// checklists' lines of the progress box are put in the same way.

// progressMark and formMark stand for the progress lines and the
// checklists in the page as the template writes it. Nothing else on the
// page can contain them: the template's own comments are stripped when it
// is parsed, and every value it prints is escaped, so a "<" never comes
// from data.
const (
	progressMark = "<!--fill-progress-->"
	formMark     = "<!--fill-form-->"
)

// fillProgress is what the "fill-progress" template renders: a
// checklist's line in the progress box.
type fillProgress struct {
	*Page
	Cl      *checklist.Checklist
	Theme   scoring.ThemeResult
	Href    string // the theme's view, in the current filter
	Current bool   // the page shows this theme alone
}

// fillHead is what the "fill-theme" and "fill-section" templates render: a
// checklist's heading or one of its section's titles.
type fillHead struct {
	*Page
	Cl    *checklist.Checklist
	Title string
}

// fillItem is one item of the form with its stored state and its texts.
type fillItem struct {
	Item                            checklist.Item
	Answer                          assessment.Answer
	Plan                            assessment.Plan
	Files                           []fillFile
	Gap, ShowPlan, Overdue          bool
	Text, Severity, Weight, SavedBy string
	Guidance, Basis, EvidenceText   string
	Was, PlanWas                    string
	// The next cycle: a carried answer still to confirm; the item's
	// revision since the earlier assessment (its label, and for a
	// reworded item the text the earlier one asked); the plan's origin.
	ToConfirm           bool
	Mark, MarkLabel     string
	OldText, PlanOrigin string
}

// fillItemData is what the "fill-item" template renders.
type fillItemData struct {
	*Page
	V      *fillItem
	L      *fillLabels
	Cl     *checklist.Checklist
	Sh     *assessment.Sheet
	Review workflow.LastReview
}

// fillView builds the labels and the themes of page, each item rendered.
func (s *Server) fillView(c echo.Context, page *fillPage) error {
	l := lang(c)
	t := func(key string, args ...any) string { return s.Messages.T(l, key, args...) }
	page.Labels = fillLabels{
		Details: t("fill.details"), Guidance: t("fill.guidance"), Basis: t("fill.basis"), Refs: t("fill.refs"), Evidence: t("fill.evidence"),
		Answer: t("fill.answer"), Note: t("fill.note"),
		PlanHeading: t("plan.heading"), PlanHelp: t("plan.help"), PlanMeasure: t("plan.measure"), PlanOwner: t("plan.owner"),
		PlanDue: t("plan.due"), PlanStatus: t("plan.status"), PlanOverdue: t("plan.overdue"),
		EvidenceRequired: t("evidence.required"), EvidenceHeading: t("evidence.heading"), EvidenceNone: t("evidence.none"),
		EvidenceAdd: t("evidence.add"), MaxNote: assessment.MaxNoteLen,
		Validity: validityLabels{Until: t("validity.until"), UntilNew: t("validity.until_new"), Save: t("validity.save")},
	}
	for _, a := range page.Answers {
		label := t("answer." + string(a))
		if a == scoring.Unanswered {
			label = t("answer.none")
		}
		page.Labels.Choices = append(page.Labels.Choices, fillChoice{Value: a, Label: label})
	}
	for _, st := range page.PlanStatuses {
		page.Labels.PlanStatuses = append(page.Labels.PlanStatuses, fillChoice{Value: st, Label: t("plan.status." + string(st))})
	}
	sh := page.Sheet
	severities := map[checklist.Severity]string{}
	pg := &Page{Lang: l, s: s}
	var state []byte
	set := s.pages.sets["assessment"]
	head := func(key fragmentKey, name string, data *fillHead) error {
		html, err := s.fillItems.render(key, func(w *bytes.Buffer) error { return set.ExecuteTemplate(w, name, data) })
		if err != nil {
			return fmt.Errorf("web: render %s of %s: %w", name, data.Cl.ID, err)
		}
		page.parts = append(page.parts, html)
		return nil
	}
	page.Progress, page.Form = progressMark, formMark
	view := page.View
	// An item is its part and about twenty pieces of its team part
	// (itemTeamPart): the slice comes from the pool, sized by the pages
	// before, and goes back after the page is written (renderFill).
	page.parts = getParts()
	for i, t := range page.Result.Themes {
		if i >= len(sh.Checklists) {
			return fmt.Errorf("web: assessment %d scores %d themes of %d checklists", sh.ID, len(page.Result.Themes), len(sh.Checklists))
		}
		cl := sh.Checklists[i]
		line := &fillProgress{Page: pg, Cl: cl, Theme: t, Href: viewQuery(view.Filter, cl.ID), Current: view.Theme == cl.ID}
		st := binary.AppendVarint(binary.AppendVarint(append([]byte(t.ID), 0), int64(t.Answered)), int64(t.Total))
		st = append(append(st, line.Href...), 0)
		if line.Current {
			st = append(st, 1)
		}
		key := fragmentKey{cl: cl, kind: progressLine, lang: l, state: string(st)}
		html, err := s.fillItems.render(key, func(w *bytes.Buffer) error {
			return set.ExecuteTemplate(w, "fill-progress", line)
		})
		if err != nil {
			return fmt.Errorf("web: render progress of %s: %w", cl.ID, err)
		}
		page.progress = append(page.progress, html)
	}
	// Only the items of the view are rendered, and only the headings of
	// the themes and sections that show one.
	shown := func(items []checklist.Item) bool {
		for i := range items {
			if view.shows(page, &items[i]) {
				return true
			}
		}
		return false
	}
	shownIn := func(cl *checklist.Checklist) bool {
		for _, sec := range cl.Sections {
			if shown(sec.Items) {
				return true
			}
		}
		return false
	}
	for _, cl := range sh.Checklists {
		if (view.Theme != "" && cl.ID != view.Theme) || !shownIn(cl) {
			continue
		}
		if err := head(fragmentKey{cl: cl, kind: themeHead, lang: l}, "fill-theme", &fillHead{Page: pg, Cl: cl}); err != nil {
			return err
		}
		if err := s.teamParts(page, pg, cl.ID, ""); err != nil {
			return err
		}
		for i, sec := range cl.Sections {
			if !shown(sec.Items) {
				continue
			}
			if err := head(fragmentKey{cl: cl, kind: sectionHead, item: strconv.Itoa(i), lang: l}, "fill-section",
				&fillHead{Page: pg, Cl: cl, Title: sec.Title.In(l)}); err != nil {
				return err
			}
			for k := range sec.Items {
				it := &sec.Items[k]
				if !view.shows(page, it) {
					continue
				}
				page.View.Shown++
				state = fillItemState(state[:0], page, it.ID)
				sum := sha256.Sum256(state)
				key := fragmentKey{cl: cl, kind: itemPart, item: it.ID, lang: l, state: string(sum[:])}
				html, err := s.fillItems.render(key, func(w *bytes.Buffer) error {
					a, p := sh.Answers[it.ID], sh.Plans[it.ID]
					sev, ok := severities[it.Severity]
					if !ok {
						sev = t("severity." + string(it.Severity))
						severities[it.Severity] = sev
					}
					v := fillItem{
						Item: *it, Answer: a, Plan: p, Files: s.fillFiles(l, sh.Evidence[it.ID], page.Today),
						Gap: a.Value.IsGap(), ShowPlan: page.ShowPlan(it.ID), Overdue: p.Overdue(page.Today),
						Text: it.Text.In(l), Severity: sev, Weight: t("fill.weight", it.Weight),
						Guidance: it.Guidance.In(l), Basis: cl.BasisText(*it, l), EvidenceText: it.Evidence.In(l),
						Was: page.Was(it.ID), PlanWas: page.PlanWas(it.ID),
					}
					if a.UpdatedBy != "" {
						v.SavedBy = t("fill.saved_by", a.UpdatedBy, s.formatTime(a.UpdatedAt))
					}
					v.ToConfirm = a.ToConfirm()
					if r, ok := page.Revisions[it.ID]; ok {
						v.Mark, v.MarkLabel = r.Mark, t("cycle.revision."+r.Mark)
						if r.Mark == assessment.RevisionChanged {
							v.OldText = r.Old.Text.In(l)
						}
					}
					if o := p.Origin; o != nil {
						v.PlanOrigin = t("cycle.plan_origin", o.AssessmentID, o.ItemID)
					}
					return set.ExecuteTemplate(w, "fill-item",
						&fillItemData{Page: pg, V: &v, L: &page.Labels, Cl: cl, Sh: sh, Review: page.Review})
				})
				if err != nil {
					return fmt.Errorf("web: render item %s: %w", it.ID, err)
				}
				page.parts = append(page.parts, html)
				if err := s.teamParts(page, pg, "", it.ID); err != nil {
					return err
				}
			}
		}
		page.parts = append(page.parts, themeEnd)
	}
	return nil
}

// partsPool holds the slices of a fill-in page's parts: a page of every
// item is a few thousand of them, allocated anew they were a seventh of
// the page's allocations.
var partsPool = sync.Pool{New: func() any { return new([]template.HTML) }}

func getParts() []template.HTML { return (*partsPool.Get().(*[]template.HTML))[:0] }

func putParts(parts []template.HTML) {
	if cap(parts) > 1<<16 { // a rare huge page is not kept
		return
	}
	clear(parts[:cap(parts)]) // the pool must not keep the pages' HTML alive
	partsPool.Put(&parts)
}

// themeEnd closes a checklist's part of the form.
const themeEnd = template.HTML("</section>\n")

// spliced is a mark in a page and the parts that replace it.
type spliced struct {
	mark  string
	parts []template.HTML
}

// splice writes page, as the template wrote it, to w with each mark
// replaced by its parts. Each mark must be in page once, in the order given.
func splice(w *bytes.Buffer, page []byte, with ...spliced) error {
	n := len(page)
	for _, sp := range with {
		if bytes.Count(page, []byte(sp.mark)) != 1 {
			return fmt.Errorf("web: the page must show %s once", sp.mark)
		}
		for _, html := range sp.parts {
			n += len(html)
		}
	}
	w.Grow(n)
	for _, sp := range with {
		i := bytes.Index(page, []byte(sp.mark))
		if i < 0 {
			return fmt.Errorf("web: the page shows %s too early", sp.mark)
		}
		w.Write(page[:i])
		for _, html := range sp.parts {
			w.WriteString(string(html))
		}
		page = page[i+len(sp.mark):]
	}
	w.Write(page)
	return nil
}

// fragmentKey names a part of the form: its checklist (shared and never
// changed, so its texts are fixed by the pointer), which part, the item's
// id or the section's index, the page's language, and for an item
// everything else it shows (fillItemState).
type fragmentKey struct {
	cl    *checklist.Checklist
	kind  partKind
	item  string
	lang  string
	state string
}

// partKind tells the parts of the form apart.
type partKind uint8

const (
	itemPart      partKind = iota // an item
	themeHead                     // a checklist's heading
	sectionHead                   // a section's title
	progressLine                  // a checklist's line in the progress box
	themeTeamPart                 // a theme's assignee (teamParts)
	itemTeamPart                  // an item's team part without a thread, its id a marker (itemTeamPart)
	excludedList                  // the items the profile leaves out (excludedPart)
	viewLinks                     // the links to the views with their counts (viewsPart)
	frameHead                     // the page's head: the firm, the state, the links (frameParts)
	frameBody                     // the progress box and the form around the items (frameParts)
)

// fillItemState appends to b everything an item of page shows besides its
// texts, each field with its length so that no two states run together:
// the sheet's id and state, the item's answer and plan (as shown and as
// stored), its files, its review verdict, whether its plan is overdue, and
// the upload limit. The key holds the SHA-256 of them, not the fields:
// with every note and plan in the keys, the cache filled a good part of the
// server's memory limit, and the collector ran without pause.
func fillItemState(b []byte, page *fillPage, itemID string) []byte {
	field := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	num := func(n int64) { b = binary.AppendVarint(b, n) }
	moment := func(t time.Time) {
		// The instant and the zone's offset: the item shows it in the configured zone.
		_, off := t.Zone()
		num(t.Unix())
		num(int64(t.Nanosecond()))
		num(int64(off))
	}
	sh := page.Sheet
	a, p := sh.Answers[itemID], sh.Plans[itemID]
	num(int64(sh.ID))
	field(string(sh.State))
	num(page.MaxEvidence)
	field(string(a.Value))
	field(a.Note)
	num(int64(a.Version))
	field(a.UpdatedBy)
	moment(a.UpdatedAt)
	field(p.Measure)
	field(p.Owner)
	field(p.Due)
	field(string(p.Status))
	num(int64(p.Version))
	// The next cycle: carried and confirmed, the revision, the plan's origin.
	flag := func(on bool) {
		if on {
			num(1)
		} else {
			num(0)
		}
	}
	flag(a.Carried)
	flag(a.Confirmed)
	r := page.Revisions[itemID]
	field(r.Mark)
	field(r.Old.Text.ZH)
	field(r.Old.Text.EN)
	if o := p.Origin; o != nil {
		num(int64(o.AssessmentID))
		field(o.ItemID)
	} else {
		num(-1)
	}
	if p.Overdue(page.Today) {
		num(1)
	} else {
		num(0)
	}
	// The stored answer and plan, where they are not the ones shown.
	if sa, ok := page.stored[itemID]; ok {
		num(1)
		field(string(sa.Value))
		field(sa.Note)
		num(int64(sa.Version))
	} else {
		num(0)
	}
	if sp, ok := page.storedPlans[itemID]; ok {
		num(1)
		field(sp.Measure)
		field(sp.Owner)
		field(sp.Due)
		field(string(sp.Status))
		num(int64(sp.Version))
	} else {
		num(0)
	}
	files := sh.Evidence[itemID]
	num(int64(len(files)))
	for _, e := range files {
		num(int64(e.ID))
		field(e.Name)
		num(e.Size)
		field(e.SHA256)
		field(e.UploadedBy)
		moment(e.UploadedAt)
		field(e.ValidUntil)
		field(string(e.Validity(page.Today)))
	}
	if r, ok := page.Review.Items[itemID]; ok {
		num(1)
		field(r.Verdict)
		field(r.Comment)
		field(r.Reviewer.Name)
	} else {
		num(0)
	}
	return b
}

// fillCacheBytes bounds the fill-in page's cache of rendered parts: a
// sixth of the server's default soft memory limit (DefaultMemoryLimitMiB
// in app/server), so that the cache can never hold the heap near the limit
// and keep the collector running. docs/BENCHMARKS.md says how many
// assessments it holds.
const fillCacheBytes = 16 << 20

// fragmentCache keeps rendered items of the fill-in page by fragmentKey. A
// page is mostly items nobody changed since it was last shown, and
// rendering them (a few dozen escaped values each) was most of its cost.
// An entry is the output of a pure function of its key, so it is never
// stale and every instance may keep its own; when the entries pass
// maxBytes the cache starts over.
type fragmentCache struct {
	mu       sync.Mutex
	m        map[fragmentKey]template.HTML
	bytes    int
	maxBytes int
}

func (c *fragmentCache) render(key fragmentKey, render func(*bytes.Buffer) error) (template.HTML, error) {
	c.mu.Lock()
	html, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return html, nil
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return "", err
	}
	html = template.HTML(buf.String())
	size := len(html) + len(key.state) + len(key.item)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.bytes+size > c.maxBytes {
		c.m, c.bytes = map[fragmentKey]template.HTML{}, 0
	}
	if _, ok := c.m[key]; !ok {
		c.m[key] = html
		c.bytes += size
	}
	return html, nil
}

// storedAnswer is an item's answer as stored, whatever the page shows.
func (p *fillPage) storedAnswer(itemID string) assessment.Answer {
	if a, ok := p.stored[itemID]; ok {
		return a
	}
	return p.Sheet.Answers[itemID]
}

// storedPlan is an item's plan as stored, whatever the page shows.
func (p *fillPage) storedPlan(itemID string) assessment.Plan {
	if pl, ok := p.storedPlans[itemID]; ok {
		return pl
	}
	return p.Sheet.Plans[itemID]
}

// Was is what the form was loaded with for an item, sent back with it so a
// save can tell what this form changed from what it merely shows.
func (p *fillPage) Was(itemID string) string { return loadedState(p.storedAnswer(itemID)) }

// PlanWas is the same for an item's rectification plan.
func (p *fillPage) PlanWas(itemID string) string { return planState(p.storedPlan(itemID)) }

// ShowPlan reports whether an item's plan fields are shown: for gaps only.
// The plan of an item answered compliant since stays stored (and in the
// history), out of the way; it shows again should the item become a gap.
func (p *fillPage) ShowPlan(itemID string) bool {
	return p.Sheet.Answers[itemID].Value.IsGap()
}

// loadedState encodes an item's stored answer, a hash of its note and its
// version.
func loadedState(a assessment.Answer) string {
	return string(a.Value) + ":" + textHash(a.Note) + ":" + strconv.Itoa(a.Version)
}

func planState(p assessment.Plan) string {
	return strconv.Itoa(p.Version) + ":" + textHash(p.Measure+"\x00"+p.Owner+"\x00"+p.Due+"\x00"+string(p.Status))
}

func textHash(s string) string {
	sum := sha256.Sum256([]byte(assessment.NormalizeNote(s)))
	return hex.EncodeToString(sum[:8])
}

func (s *Server) assessmentPage(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	ctx, p := c.Request().Context(), who(c)
	page := &fillPage{filter: c.QueryParam("filter"), theme: c.QueryParam("theme")}
	if page.filter == "all" && page.theme == "" {
		// Every item shows: a focused read would read each twice.
		sh, err := s.Work.FillSheet(ctx, p, id)
		if err != nil {
			return err
		}
		if err := s.prepareFill(c, sh, page); err != nil {
			return err
		}
		return s.writeFill(c, http.StatusOK, page)
	}
	// The view is chosen on the sheet without its details, and only the
	// items it shows are read whole.
	_, err = s.Work.FillSheetFocused(ctx, p, id, func(light *assessment.Sheet) ([]string, error) {
		if err := s.prepareFill(c, light, page); err != nil {
			return nil, err
		}
		return page.shownItems(), nil
	})
	if err != nil {
		return err
	}
	return s.writeFill(c, http.StatusOK, page)
}

// shownItems lists the items of the page's view, as fillView renders them.
func (p *fillPage) shownItems() []string {
	var out []string
	for _, cl := range p.Sheet.Checklists {
		if p.View.Theme != "" && cl.ID != p.View.Theme {
			continue
		}
		for it := range cl.EachItem() {
			if p.View.shows(p, it) {
				out = append(out, it.ID)
			}
		}
	}
	return out
}

// renderFill shows the fill-in page. posted, when not nil, holds input a
// refused save could not store: it is shown instead of the stored answers so
// nothing typed is lost, while the loaded states stay those of the database.
func (s *Server) renderFill(c echo.Context, status int, sh *assessment.Sheet, page fillPage, posted ...postedInput) error {
	if err := s.prepareFill(c, sh, &page, posted...); err != nil {
		return err
	}
	return s.writeFill(c, status, &page)
}

// prepareFill fills page from sh (and posted, as renderFill says) up to
// the choice of its view: everything the view and its counts need. Of the
// items the view does not show, it reads each answer's Value, Carried and
// Confirmed only (FillSheetFocused).
func (s *Server) prepareFill(c echo.Context, sh *assessment.Sheet, page *fillPage, posted ...postedInput) error {
	page.stored = map[string]assessment.Answer{}
	page.storedPlans = map[string]assessment.Plan{}
	for _, p := range posted {
		for _, in := range p.answers {
			a := sh.Answers[in.ItemID]
			if _, ok := page.stored[in.ItemID]; !ok {
				page.stored[in.ItemID] = a
			}
			a.Value, a.Note = in.Value, in.Note
			sh.Answers[in.ItemID] = a
		}
		for id, pl := range p.plans {
			if _, ok := page.storedPlans[id]; !ok {
				page.storedPlans[id] = sh.Plans[id]
			}
			sh.Plans[id] = pl
		}
	}
	page.Sheet, page.Result, page.Answers, page.PlanStatuses = sh, sh.Result(), scoring.Answers, assessment.PlanStatuses
	page.Today = s.today()
	page.MaxEvidence = s.Config.MaxEvidenceBytes >> 20
	if sh.State == assessment.ChangesRequested {
		var err error
		if page.Review, err = s.Work.LatestReview(c.Request().Context(), who(c), sh.ID); err != nil {
			return err
		}
	}
	var err error
	if sh.CarriedFrom != 0 { // only a carried-over assessment has revisions to mark
		if page.Revisions, err = s.Work.Revisions(c.Request().Context(), who(c), sh.ID); err != nil {
			return err
		}
	}
	if page.Team, err = s.loadTeam(c, sh.ID, ""); err != nil {
		return err
	}
	return chooseView(page, page.filter, page.theme)
}

// writeFill renders the page prepareFill prepared and writes it.
func (s *Server) writeFill(c echo.Context, status int, page *fillPage) error {
	sh := page.Sheet
	defer func() { putParts(page.parts) }() // filled by fillView
	if err := s.fillView(c, page); err != nil {
		return err
	}
	var err error
	if page.Excluded, err = s.excludedPart(sh, lang(c)); err != nil {
		return err
	}
	if page.Views, err = s.viewsPart(&page.View, lang(c)); err != nil {
		return err
	}
	if err := s.frameParts(c, page); err != nil {
		return err
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := s.execute(buf, c, "assessment", s.T(c, "fill.title", sh.ID), *page); err != nil {
		return err
	}
	out := getBuffer()
	defer putBuffer(out)
	if err := splice(out, buf.Bytes(), spliced{progressMark, page.progress}, spliced{formMark, page.parts}); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, out.Bytes())
}

// excludedPart is the list of the items the sheet's profile leaves out,
// rendered once per list and language (fillItems): a firm's profile
// commonly leaves out dozens of items, and rendering their rows on every
// load cost a third of the page's template time. The key holds the digest
// of everything the list shows, so a changed text or tag is a new key.
func (s *Server) excludedPart(sh *assessment.Sheet, l string) (template.HTML, error) {
	if len(sh.Excluded) == 0 {
		return "", nil
	}
	h := sha256.New()
	var b []byte
	field := func(v string) {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	for _, r := range sh.Excluded {
		b = b[:0]
		field(r.Item.ID)
		field(r.Item.Text.In(l))
		field(r.Checklist.Title.In(l))
		for _, t := range r.Item.AppliesTo {
			field(string(t))
		}
		h.Write(b)
	}
	key := fragmentKey{kind: excludedList, lang: l, state: string(h.Sum(nil))}
	html, err := s.fillItems.render(key, func(w *bytes.Buffer) error {
		return s.pages.sets["assessment"].ExecuteTemplate(w, "excluded", &Page{Lang: l, s: s, Data: struct{ Sheet *assessment.Sheet }{sh}})
	})
	if err != nil {
		return "", fmt.Errorf("web: render the excluded items: %w", err)
	}
	return html, nil
}

// viewsPart is the links to the views of the fill-in page, rendered once
// per language and set of links (framePart): in the page's template, each
// link's values were a method call or an escaper by reflection on every
// load.
func (s *Server) viewsPart(v *focusView, l string) (template.HTML, error) {
	return s.framePart(viewLinks, l, "", "fill-views", &fillViews{Page: &Page{Lang: l, s: s}, View: v})
}

// frameCacheBytes bounds the cache of the fill-in page's frames and view
// links (fillFrames): a frame holds the viewer's CSRF token, so there is
// one per session, assessment and view; a cache of its own keeps them from
// crowding the items out of fillItems.
const frameCacheBytes = 4 << 20

// fillFrameHead is what the "fill-head" template renders: the page's head.
type fillFrameHead struct {
	*Page                `json:"-"` // the language only, for the texts (in the key as it)
	Title                string
	ID                   uint
	FirmName, CreditCode string
	State                assessment.State
	InCampaign, Overdue  bool
	Campaign, Deadline   string // the campaign's name in the page's language
	Profile              string // the profile's tags, listed
	HasPlans             bool
	RectifiedOn          string
}

// fillFrameBody is what the "fill-body" template renders: the progress box
// and the form around the items, marks where the progress lines and the
// items go (splice).
type fillFrameBody struct {
	*Page                 `json:"-"` // the language and the CSRF token (in the key as they)
	ID                    uint
	State                 assessment.State
	Editable, Empty       bool
	Answered, Total       int
	Progress, Views, Form template.HTML
	Filter, Theme         string
	MaxEvidence           int64
	Evidence              []uint // the files' ids, by item id and then as listed
}

// frameParts renders the page's head and the body around its items from
// flat structs built here, each cached (fillFrames) under the digest of its
// JSON, so that a field added to either is in its key: rendered on every
// load from the sheet and the view, each of their many actions was a
// lookup or a call by reflection.
func (s *Server) frameParts(c echo.Context, page *fillPage) error {
	l, sh := lang(c), page.Sheet
	pg := &Page{Lang: l, s: s}
	head := &fillFrameHead{Page: pg, Title: s.T(c, "fill.title", sh.ID), ID: sh.ID, FirmName: sh.FirmName, CreditCode: sh.CreditCode,
		State: sh.State, Profile: pg.TagList(sh.Profile.List()), HasPlans: len(sh.Plans) > 0, RectifiedOn: sh.RectifiedOn}
	if cp := sh.Campaign; cp != nil {
		head.InCampaign, head.Campaign, head.Deadline, head.Overdue = true, cp.Name.In(l), cp.Deadline, cp.Overdue(page.Today)
	}
	csrf, _ := c.Get(ctxCSRF).(string)
	body := &fillFrameBody{Page: &Page{Lang: l, CSRF: csrf, s: s}, ID: sh.ID, State: sh.State, Editable: sh.Editable(),
		Empty: page.View.Shown == 0, Answered: page.Result.Answered, Total: page.Result.Total,
		Progress: page.Progress, Views: page.Views, Form: page.Form, Filter: page.View.Filter, Theme: page.View.Theme,
		MaxEvidence: page.MaxEvidence}
	items := make([]string, 0, len(sh.Evidence))
	for id := range sh.Evidence {
		items = append(items, id)
	}
	slices.Sort(items)
	for _, id := range items {
		for _, e := range sh.Evidence[id] {
			body.Evidence = append(body.Evidence, e.ID)
		}
	}
	var err error
	if page.Head, err = s.framePart(frameHead, l, "", "fill-head", head); err != nil {
		return err
	}
	page.Body, err = s.framePart(frameBody, l, csrf, "fill-body", body)
	return err
}

// framePart renders the template name of the assessment page with data,
// or takes it from fillFrames. The key is the digest of data's JSON, which
// leaves out the embedded *Page, and of the CSRF token the part shows.
func (s *Server) framePart(kind partKind, l, csrf, name string, data any) (template.HTML, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("web: the key of %s: %w", name, err)
	}
	sum := sha256.Sum256(append(b, csrf...))
	html, err := s.fillFrames.render(fragmentKey{kind: kind, lang: l, state: string(sum[:])}, func(w *bytes.Buffer) error {
		return s.pages.sets["assessment"].ExecuteTemplate(w, name, data)
	})
	if err != nil {
		return "", fmt.Errorf("web: render %s: %w", name, err)
	}
	return html, nil
}

// fillViews is what the "fill-views" template renders.
type fillViews struct {
	*Page `json:"-"` // the language only, in the key as it
	View  *focusView
}

// today is the date in the configured zone, for overdue marks.
func (s *Server) today() string {
	return time.Now().In(s.Config.Location).Format(assessment.DateLayout)
}

// postedInput is what a refused form carried, to show it again.
type postedInput struct {
	answers []workflow.AnswerInput
	plans   map[string]assessment.Plan
}

// answerInput reads one item's answer and note from a form; a field the
// form lacks keeps its stored value, so a partial post never erases anything.
func answerInput(itemID string, old assessment.Answer, form url.Values, answerField, noteField string) workflow.AnswerInput {
	in := workflow.AnswerInput{ItemID: itemID, Value: old.Value, Note: old.Note}
	if v, ok := form[answerField]; ok {
		in.Value = scoring.Answer(v[0])
	}
	if v, ok := form[noteField]; ok {
		in.Note = v[0]
	}
	return in
}

// changedFields returns the input to save for an item of a posted full form:
// each field the form changed from what it was loaded with, and the stored
// value for each field it did not, with the version the form was loaded at so
// a colleague's save in between is detected. ok is false when the form
// changed nothing.
func changedFields(itemID string, stored assessment.Answer, form url.Values) (in workflow.AnswerInput, ok bool) {
	in = workflow.AnswerInput{ItemID: itemID, Value: stored.Value, Note: stored.Note}
	posted := answerInput(itemID, assessment.Answer{}, form, "answer."+itemID, "note."+itemID)
	was, sent := form["was."+itemID]
	if !sent {
		// A form without the loaded state (an old page): compare with the database.
		posted = answerInput(itemID, stored, form, "answer."+itemID, "note."+itemID)
		changed := posted.Value != stored.Value || assessment.NormalizeNote(posted.Note) != stored.Note
		return posted, changed
	}
	parts := strings.SplitN(was[0], ":", 3)
	if len(parts) == 2 {
		// A page rendered before versions existed ("answer:notehash"): compare
		// the fields, with no version to check.
		parts = append(parts, "")
	}
	if len(parts) != 3 {
		return in, false
	}
	if string(posted.Value) != parts[0] {
		in.Value, ok = posted.Value, true
	}
	if textHash(posted.Note) != parts[1] {
		in.Note, ok = posted.Note, true
	}
	if !ok && stored.ToConfirm() && form.Get("confirm."+itemID) == "1" {
		// Ticked "checked: still holds": saved unchanged, which confirms
		// the answer carried over from the last cycle.
		ok = true
	}
	if v, err := strconv.Atoi(parts[2]); err == nil && ok {
		in.Version = &v
	}
	return in, ok
}

// answerErrorKey maps the store's input errors to messages.
func answerErrorKey(err error) (string, bool) {
	switch {
	case errors.Is(err, workflow.ErrReadOnly):
		return "error.read_only", true
	case errors.Is(err, workflow.ErrUnknownItem):
		return "error.unknown_item", true
	}
	return "", false
}

// readOnlyMessage says why an assessment cannot be edited, naming its state.
func (s *Server) readOnlyMessage(c echo.Context, err error) string {
	var ro *workflow.ReadOnlyError
	if errors.As(err, &ro) {
		return s.T(c, "error.read_only_state", s.T(c, "state."+string(ro.State)))
	}
	return s.T(c, "error.read_only")
}

// conflictMessage shows what the other person saved.
func (s *Server) conflictMessage(c echo.Context, ce *workflow.ConflictError) string {
	return s.T(c, "fill.conflict", ce.ItemID, ce.Current.UpdatedBy, s.formatTime(ce.Current.UpdatedAt),
		s.answerLabel(c, ce.Current.Value), ce.Current.Note)
}

func (s *Server) answerLabel(c echo.Context, a scoring.Answer) string {
	if a == scoring.Unanswered {
		return s.T(c, "answer.none")
	}
	return s.T(c, "answer."+string(a))
}

func (s *Server) formatTime(t time.Time) string {
	return t.In(s.Config.Location).Format("2006-01-02 15:04")
}
