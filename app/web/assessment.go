package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
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
	return s.Store.Sheet(c.Request().Context(), currentUser(c), id)
}

// createAssessment starts an assessment: for a campaign the firm takes part
// in (its themes), or with the themes chosen on the form.
func (s *Server) createAssessment(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	cat, _, err := s.Catalog.Catalog(ctx)
	if err != nil {
		return err
	}
	themeIDs := form["theme"]
	var campaignID *uint
	if v := form.Get("campaign"); v != "" && v != "0" {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fail(http.StatusBadRequest, "error.bad_request")
		}
		camp, err := s.Store.Campaign(ctx, u, uint(id))
		if err != nil {
			return err
		}
		cid := camp.ID
		campaignID, themeIDs = &cid, camp.Themes
	}
	var lists []*checklist.Checklist
	chosen := map[string]bool{}
	for _, id := range themeIDs {
		if chosen[id] {
			continue // a form that repeats a theme still means it once
		}
		chosen[id] = true
		cl, ok := cat.Get(id)
		if !ok {
			return fail(http.StatusBadRequest, "error.unknown_theme", id)
		}
		lists = append(lists, cl)
	}
	if len(lists) == 0 {
		flash(c, "home.choose_theme")
		return c.Redirect(http.StatusSeeOther, "/")
	}
	profile := checklist.Profile{}
	for _, t := range form["profile"] {
		if !checklist.KnownTag(checklist.Tag(t)) {
			return fail(http.StatusBadRequest, "error.unknown_tag", t)
		}
		profile[checklist.Tag(t)] = true
	}
	id, err := s.Store.CreateAssessment(ctx, u, lists, profile, campaignID)
	switch {
	case errors.Is(err, store.ErrNothingApplies):
		flash(c, "home.nothing_applies")
		return c.Redirect(http.StatusSeeOther, "/")
	case errors.Is(err, store.ErrAlreadyStarted):
		flash(c, "home.already_started")
		return c.Redirect(http.StatusSeeOther, "/")
	case errors.Is(err, store.ErrNotInCampaign):
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
	MaxEvidence  int64             // MiB
	Review       store.LastReview  // the auditor's last decision, shown when it returned the assessment
	loaded       map[string]string // loadedState of each stored answer, by item
	loadedPlans  map[string]string // planState of each stored plan, by item
}

// Was is what the form was loaded with for an item, sent back with it so a
// save can tell what this form changed from what it merely shows.
func (p fillPage) Was(itemID string) string { return p.loaded[itemID] }

// PlanWas is the same for an item's rectification plan.
func (p fillPage) PlanWas(itemID string) string { return p.loadedPlans[itemID] }

// ShowPlan reports whether an item's plan fields are shown: for gaps, and
// wherever a plan was written.
func (p fillPage) ShowPlan(itemID string) bool {
	return p.Sheet.Answers[itemID].Value.IsGap() || p.Sheet.Plans[itemID].Measure != ""
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
	sum := sha256.Sum256([]byte(store.NormalizeNote(s)))
	return hex.EncodeToString(sum[:8])
}

func (s *Server) assessmentPage(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	return s.renderFill(c, http.StatusOK, sh, fillPage{})
}

// renderFill shows the fill-in page. posted, when not nil, holds input a
// refused save could not store: it is shown instead of the stored answers so
// nothing typed is lost, while the loaded states stay those of the database.
func (s *Server) renderFill(c echo.Context, status int, sh *assessment.Sheet, page fillPage, posted ...postedInput) error {
	page.loaded = make(map[string]string)
	page.loadedPlans = make(map[string]string)
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			page.loaded[it.ID] = loadedState(sh.Answers[it.ID])
			page.loadedPlans[it.ID] = planState(sh.Plans[it.ID])
		}
	}
	for _, p := range posted {
		for _, in := range p.answers {
			a := sh.Answers[in.ItemID]
			a.Value, a.Note = in.Value, in.Note
			sh.Answers[in.ItemID] = a
		}
		for id, pl := range p.plans {
			sh.Plans[id] = pl
		}
	}
	page.Sheet, page.Result, page.Answers, page.PlanStatuses = sh, sh.Result(), scoring.Answers, assessment.PlanStatuses
	page.Today = s.today()
	page.MaxEvidence = s.Config.MaxEvidenceBytes >> 20
	if sh.State == assessment.ChangesRequested {
		var err error
		if page.Review, err = s.Store.LatestReview(c.Request().Context(), currentUser(c), sh.ID); err != nil {
			return err
		}
	}
	return s.render(c, status, "assessment", s.T(c, "fill.title", sh.ID), page)
}

// today is the date in the configured zone, for overdue marks.
func (s *Server) today() string {
	return time.Now().In(s.Config.Location).Format(assessment.DateLayout)
}

// postedInput is what a refused form carried, to show it again.
type postedInput struct {
	answers []store.AnswerInput
	plans   map[string]assessment.Plan
}

// answerInput reads one item's answer and note from a form; a field the
// form lacks keeps its stored value, so a partial post never erases anything.
func answerInput(itemID string, old assessment.Answer, form url.Values, answerField, noteField string) store.AnswerInput {
	in := store.AnswerInput{ItemID: itemID, Value: old.Value, Note: old.Note}
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
func changedFields(itemID string, stored assessment.Answer, form url.Values) (in store.AnswerInput, ok bool) {
	in = store.AnswerInput{ItemID: itemID, Value: stored.Value, Note: stored.Note}
	posted := answerInput(itemID, assessment.Answer{}, form, "answer."+itemID, "note."+itemID)
	was, sent := form["was."+itemID]
	if !sent {
		// A form without the loaded state (an old page): compare with the database.
		posted = answerInput(itemID, stored, form, "answer."+itemID, "note."+itemID)
		changed := posted.Value != stored.Value || store.NormalizeNote(posted.Note) != stored.Note
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
	if v, err := strconv.Atoi(parts[2]); err == nil && ok {
		in.Version = &v
	}
	return in, ok
}

// answerErrorKey maps the store's input errors to messages.
func answerErrorKey(err error) (string, bool) {
	switch {
	case errors.Is(err, store.ErrReadOnly):
		return "error.read_only", true
	case errors.Is(err, store.ErrUnknownItem):
		return "error.unknown_item", true
	case errors.Is(err, store.ErrBadAnswer):
		return "error.bad_answer", true
	case errors.Is(err, store.ErrNoteTooLong):
		return "error.note_too_long", true
	case errors.Is(err, store.ErrBadPlan):
		return "error.bad_plan", true
	}
	return "", false
}

// readOnlyMessage says why an assessment cannot be edited, naming its state.
func (s *Server) readOnlyMessage(c echo.Context, err error) string {
	var ro *store.ReadOnlyError
	if errors.As(err, &ro) {
		return s.T(c, "error.read_only_state", s.T(c, "state."+string(ro.State)))
	}
	return s.T(c, "error.read_only")
}

// conflictMessage shows what the other person saved.
func (s *Server) conflictMessage(c echo.Context, ce *store.ConflictError) string {
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
