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
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
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

func (s *Server) createAssessment(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	cat, _, err := s.Catalog.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	var lists []*checklist.Checklist
	chosen := map[string]bool{}
	for _, id := range form["theme"] {
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
	id, err := s.Store.CreateAssessment(c.Request().Context(), currentUser(c), lists, profile)
	if errors.Is(err, store.ErrNothingApplies) {
		flash(c, "home.nothing_applies")
		return c.Redirect(http.StatusSeeOther, "/")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d", id))
}

// fillPage is the fill-in page: the sheet, its score so far, and after a
// refused submit the items still unanswered.
type fillPage struct {
	Sheet   *assessment.Sheet
	Result  scoring.Result
	Missing []assessment.Ref
	Answers []scoring.Answer
	Error   string
	loaded  map[string]string // loadedState of each stored answer, by item
}

// Was is what the form was loaded with for an item, sent back with it so a
// save can tell what this form changed from what it merely shows.
func (p fillPage) Was(itemID string) string { return p.loaded[itemID] }

// loadedState encodes an item's stored answer and a hash of its note.
func loadedState(a assessment.Answer) string {
	return string(a.Value) + ":" + noteHash(a.Note)
}

func noteHash(note string) string {
	sum := sha256.Sum256([]byte(store.NormalizeNote(note)))
	return hex.EncodeToString(sum[:8])
}

// changedFields returns the input to save for an item of a posted full form:
// each field the form changed from what it was loaded with, and the stored
// value for each field it did not. ok is false when it changed nothing.
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
	wasValue, wasNote, _ := strings.Cut(was[0], ":")
	if string(posted.Value) != wasValue {
		in.Value, ok = posted.Value, true
	}
	if noteHash(posted.Note) != wasNote {
		in.Note, ok = posted.Note, true
	}
	return in, ok
}

func (s *Server) assessmentPage(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	return s.renderFill(c, http.StatusOK, sh, nil, "", nil)
}

// renderFill shows the fill-in page. posted, when not nil, holds input a
// refused save could not store: it is shown instead of the stored answers so
// nothing typed is lost, while the loaded states stay those of the database.
func (s *Server) renderFill(c echo.Context, status int, sh *assessment.Sheet, missing []assessment.Ref, errMsg string, posted []store.AnswerInput) error {
	loaded := make(map[string]string, len(sh.Answers))
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			a := sh.Answers[it.ID]
			loaded[it.ID] = loadedState(a)
		}
	}
	for _, in := range posted {
		a := sh.Answers[in.ItemID]
		a.Value, a.Note = in.Value, in.Note
		sh.Answers[in.ItemID] = a
	}
	title := s.T(c, "fill.title", sh.ID)
	return s.render(c, status, "assessment", title, fillPage{
		Sheet: sh, Result: sh.Result(), Missing: missing, Answers: scoring.Answers, Error: errMsg, loaded: loaded,
	})
}

// saveAssessmentForm is the no-JavaScript path: the whole form is posted,
// the answers this form changed are saved, and with action=submit the
// assessment is then submitted. Saving first means pressing Submit never
// loses input; saving only the fields the form changed (its record of the
// loaded state differs from what it posts) means a page loaded an hour ago
// does not overwrite what a colleague saved since.
func (s *Server) saveAssessmentForm(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	if !sh.Editable() {
		return fail(http.StatusConflict, "error.read_only")
	}
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	var inputs []store.AnswerInput
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			if in, changed := changedFields(it.ID, sh.Answers[it.ID], form); changed {
				inputs = append(inputs, in)
			}
		}
	}
	if err := s.Store.SaveAnswers(ctx, u, sh.ID, inputs); err != nil {
		if key, ok := answerErrorKey(err); ok {
			return s.renderFill(c, http.StatusUnprocessableEntity, sh, nil, s.T(c, key), inputs)
		}
		return err
	}
	back := fmt.Sprintf("/assessments/%d", sh.ID)
	if c.FormValue("action") != "submit" {
		flash(c, "fill.saved")
		return c.Redirect(http.StatusSeeOther, back)
	}
	return s.submit(c, sh.ID)
}

func (s *Server) submit(c echo.Context, id uint) error {
	ctx := c.Request().Context()
	err := s.Store.Submit(ctx, currentUser(c), id)
	var inc *store.IncompleteError
	switch {
	case errors.As(err, &inc):
		sh, err := s.Store.Sheet(ctx, currentUser(c), id)
		if err != nil {
			return err
		}
		return s.renderFill(c, http.StatusUnprocessableEntity, sh, inc.Missing, s.T(c, "fill.incomplete", len(inc.Missing)), nil)
	case errors.Is(err, store.ErrReadOnly):
		return fail(http.StatusConflict, "error.read_only")
	case err != nil:
		return err
	}
	s.Log.Info("assessment submitted", "assessment", id, "user", currentUser(c).ID)
	flash(c, "score.submitted")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d/score", id))
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
	}
	return "", false
}

type autosaveResponse struct {
	Item     string          `json:"item"`
	Answer   scoring.Answer  `json:"answer"`
	Note     string          `json:"note"`
	SavedAt  time.Time       `json:"saved_at"`
	Answered int             `json:"answered"`
	Total    int             `json:"total"`
	Themes   []themeProgress `json:"themes"`
	Message  string          `json:"message"`
}

type themeProgress struct {
	ID       string `json:"id"`
	Answered int    `json:"answered"`
	Total    int    `json:"total"`
}

// autosaveAnswer saves one item as soon as it changes (from autosave.js) and
// answers with the new progress. A missing field keeps its stored value.
func (s *Server) autosaveAnswer(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	in := answerInput(itemID, sh.Answers[itemID], form, "answer", "note")
	if err := s.Store.SaveAnswers(ctx, u, sh.ID, []store.AnswerInput{in}); err != nil {
		if key, ok := answerErrorKey(err); ok {
			status := http.StatusUnprocessableEntity
			if key == "error.read_only" {
				status = http.StatusConflict
			}
			return fail(status, key)
		}
		return err
	}
	sh, err = s.Store.Sheet(ctx, u, sh.ID)
	if err != nil {
		return err
	}
	res := sh.Result()
	out := autosaveResponse{
		Item: itemID, Answer: sh.Answers[itemID].Value, Note: sh.Answers[itemID].Note, SavedAt: sh.Answers[itemID].UpdatedAt,
		Answered: res.Answered, Total: res.Total, Message: s.T(c, "fill.autosaved"),
	}
	for _, t := range res.Themes {
		out.Themes = append(out.Themes, themeProgress{ID: t.ID, Answered: t.Answered, Total: t.Total})
	}
	return c.JSON(http.StatusOK, out)
}
