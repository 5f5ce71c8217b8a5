package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

// saveAssessmentForm is the no-JavaScript path: the whole form is posted
// (answers, notes, plans and any evidence files chosen), the fields this form
// changed are saved, and with action=submit the assessment is then
// submitted. Saving first means pressing Submit never loses input; saving
// only the fields the form changed (its record of the loaded state differs
// from what it posts) means a page loaded an hour ago does not overwrite what
// a colleague saved since, and a field a colleague changed meanwhile is
// refused as a conflict instead of silently overwritten.
func (s *Server) saveAssessmentForm(c echo.Context) error {
	ctx := c.Request().Context()
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	if !sh.Editable() {
		return &userError{Status: http.StatusConflict, Key: "error.read_only_state", Args: []any{s.T(c, "state."+string(sh.State))}}
	}
	if err := c.Request().ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	form := c.Request().Form
	if c.Request().MultipartForm != nil {
		defer c.Request().MultipartForm.RemoveAll()
		form = url.Values(c.Request().MultipartForm.Value)
	}

	// The view the form showed: a save returns to it. The form holds only
	// that view's items, and an item the form lacks is left as stored.
	filter, theme := form.Get("filter"), form.Get("theme")
	if knownView(sh, filter, theme) == "" {
		filter, theme = "", "" // a refusal shows the page, never an error about its view
	}
	var answers []workflow.AnswerInput
	plans := map[string]workflow.PlanInput{}
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			if in, changed := changedFields(it.ID, sh.Answers[it.ID], form); changed {
				answers = append(answers, in)
			}
			if p, changed := changedPlan(it.ID, sh.Plans[it.ID], form); changed {
				plans[it.ID] = p
			}
		}
	}
	posted := postedInput{answers: answers, plans: map[string]assessment.Plan{}}
	for id, p := range plans {
		posted.plans[id] = assessment.Plan{Measure: p.Measure, Owner: p.Owner, Due: p.Due, Status: p.Status, Version: sh.Plans[id].Version}
	}
	refuse := func(status int, msg string, details ...string) error {
		fresh, err := s.Work.Sheet(ctx, who(c), sh.ID)
		if err != nil {
			return err
		}
		return s.renderFill(c, status, fresh, fillPage{Error: msg, Details: details, filter: filter, theme: theme}, posted)
	}
	// Every item this form changed whose stored version moved since the form
	// was loaded is a conflict. All are reported at once and nothing is
	// saved; the page comes back with what was typed, and the loaded state of
	// each item becomes what is stored now, which the messages have shown.
	if conflicts := s.formConflicts(c, sh, answers, plans); len(conflicts) > 0 {
		return refuse(http.StatusConflict, s.T(c, "fill.conflict_form"), conflicts...)
	}
	if _, err := s.Work.SaveAnswers(ctx, who(c), sh.ID, answers); err != nil {
		var ce *workflow.ConflictError
		switch {
		case errors.As(err, &ce): // a save landed between our read and our write
			return refuse(http.StatusConflict, s.T(c, "fill.conflict_form"), s.conflictMessage(c, ce))
		case errors.Is(err, workflow.ErrReadOnly):
			return refuse(http.StatusConflict, s.readOnlyMessage(c, err))
		case isFault(err):
			return refuse(http.StatusUnprocessableEntity, s.faultMessage(c, err))
		}
		if key, ok := answerErrorKey(err); ok {
			return refuse(http.StatusUnprocessableEntity, s.T(c, key))
		}
		return err
	}
	posted.answers = nil // stored
	var problems []string
	for id, p := range plans {
		_, err := s.Work.SavePlan(ctx, who(c), sh.ID, id, p)
		var pe *workflow.PlanConflictError
		switch {
		case err == nil:
			delete(posted.plans, id)
		case errors.As(err, &pe):
			problems = append(problems, s.T(c, "plan.conflict", id, pe.Current.UpdatedBy))
		case isFault(err):
			problems = append(problems, s.T(c, "plan.invalid", id, s.itemFaultMessage(c, err)))
		default:
			return err
		}
	}
	if c.Request().MultipartForm != nil {
		for _, cl := range sh.Checklists {
			for _, it := range cl.Items() {
				for _, fh := range c.Request().MultipartForm.File["evidence."+it.ID] {
					if _, err := s.attach(c, sh.ID, it.ID, form.Get("valid_until."+it.ID), fh); err != nil {
						msg, ok := s.evidenceProblem(c, err)
						if !ok {
							return err
						}
						problems = append(problems, fmt.Sprintf("%s · %s: %s", it.ID, evidence.CleanName(fh.Filename), msg))
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		return refuse(http.StatusUnprocessableEntity, s.T(c, "fill.partly_saved"), problems...)
	}
	switch form.Get("action") {
	case "submit": // the confirmation step's button (submitConfirm)
		return s.submit(c, sh.ID)
	case "confirm": // the form's Submit button: save, then ask once
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d/submit", sh.ID))
	}
	flash(c, "fill.saved")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d%s", sh.ID, knownView(sh, filter, theme)))
}

// formConflicts lists, as messages, every answer and plan the form changed
// that someone else saved after the form was loaded.
func (s *Server) formConflicts(c echo.Context, sh *assessment.Sheet, answers []workflow.AnswerInput, plans map[string]workflow.PlanInput) []string {
	var out []string
	for _, in := range answers {
		if cur := sh.Answers[in.ItemID]; in.Version != nil && *in.Version != cur.Version {
			out = append(out, s.conflictMessage(c, &workflow.ConflictError{ItemID: in.ItemID, Current: cur}))
		}
	}
	ids := make([]string, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if p, cur := plans[id], sh.Plans[id]; p.Version != nil && *p.Version != cur.Version {
			out = append(out, s.T(c, "plan.conflict", id, cur.UpdatedBy))
		}
	}
	return out
}

// changedPlan reads an item's plan from a posted full form and reports
// whether the form changed it. Blank plan fields on an item that has no plan
// are no change.
func changedPlan(itemID string, stored assessment.Plan, form url.Values) (workflow.PlanInput, bool) {
	get := func(f string) (string, bool) {
		v, ok := form["plan."+f+"."+itemID]
		if !ok {
			return "", false
		}
		return v[0], true
	}
	measure, ok1 := get("measure")
	owner, ok2 := get("owner")
	due, ok3 := get("due")
	status, ok4 := get("status")
	if !ok1 && !ok2 && !ok3 && !ok4 {
		return workflow.PlanInput{}, false
	}
	in := workflow.PlanInput{Measure: measure, Owner: owner, Due: due, Status: assessment.PlanStatus(status)}
	if in.Status == "" {
		in.Status = assessment.PlanOpen
	}
	was, sent := form["planwas."+itemID]
	blank := strings.TrimSpace(measure+owner+due) == ""
	if stored.Version == 0 && blank {
		return in, false
	}
	cand := assessment.NewPlan(in.Measure, in.Owner, in.Due, in.Status)
	cur := planState(assessment.Plan{Version: stored.Version, Measure: stored.Measure, Owner: stored.Owner, Due: stored.Due, Status: stored.Status})
	if !sent {
		return in, planState(assessment.Plan{Version: stored.Version, Measure: cand.Measure, Owner: cand.Owner, Due: cand.Due, Status: cand.Status}) != cur
	}
	v, _, _ := strings.Cut(was[0], ":")
	version, _ := strconv.Atoi(v)
	if planState(assessment.Plan{Version: version, Measure: cand.Measure, Owner: cand.Owner, Due: cand.Due, Status: cand.Status}) == was[0] {
		return in, false
	}
	in.Version = &version
	return in, true
}

// errBadVersion refuses an autosave whose version field is not a number.
var errBadVersion = errors.New("web: the version is not a number")

// parseAnswerForm reads an item's answer from an autosave form: each field
// sent (answer, note) replaces the stored one in old, and a version sent
// guards the save against a colleague's. The answer must be one of
// scoring.Answers, or empty to clear it; the note's length is the store's
// to check.
func parseAnswerForm(itemID string, old assessment.Answer, form url.Values) (workflow.AnswerInput, error) {
	in := answerInput(itemID, old, form, "answer", "note")
	if v := form.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, errBadVersion
		}
		in.Version = &n
	}
	if err := assessment.ValidateAnswer(in.Value, ""); err != nil {
		return in, err
	}
	return in, nil
}

// parsePlanForm reads a rectification plan from an autosave form and checks
// it as the store will keep it (assessment.Plan.Validate); a version sent
// guards the save against a colleague's.
func parsePlanForm(form url.Values) (workflow.PlanInput, error) {
	in := workflow.PlanInput{Measure: form.Get("measure"), Owner: form.Get("owner"), Due: form.Get("due"), Status: assessment.PlanStatus(form.Get("status"))}
	if in.Status == "" {
		in.Status = assessment.PlanOpen
	}
	if v := form.Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, errBadVersion
		}
		in.Version = &n
	}
	return in, assessment.NewPlan(in.Measure, in.Owner, in.Due, in.Status).ValidateDraft()
}

func (s *Server) submit(c echo.Context, id uint) error {
	ctx := c.Request().Context()
	err := s.Work.Submit(ctx, who(c), id)
	var inc *workflow.IncompleteError
	switch {
	case errors.As(err, &inc):
		sh, err := s.Work.Sheet(ctx, who(c), id)
		if err != nil {
			return err
		}
		return s.renderFill(c, http.StatusUnprocessableEntity, sh, fillPage{Blockers: inc.Blockers, Error: s.T(c, "fill.incomplete", len(inc.Blockers))})
	case errors.Is(err, workflow.ErrReadOnly):
		return &userError{Status: http.StatusConflict, Key: "error.read_only_message", Args: []any{s.readOnlyMessage(c, err)}}
	case err != nil:
		return err
	}
	s.Log.Info("assessment submitted", "assessment", id, "user", currentUser(c).ID)
	flash(c, "score.submitted")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d/score", id))
}

type autosaveResponse struct {
	Item    string         `json:"item"`
	Answer  scoring.Answer `json:"answer"`
	Note    string         `json:"note"`
	Version int            `json:"version"`
	SavedAt time.Time      `json:"saved_at"`
	// Progress is left out when the save did not change how many items
	// are answered (workflow.Autosaved): the page keeps its counts.
	Progress  *progressCounts `json:"progress,omitempty"`
	Message   string          `json:"message"`
	LoadState string          `json:"was"`
}

type progressCounts struct {
	Answered int             `json:"answered"`
	Total    int             `json:"total"`
	Themes   []themeProgress `json:"themes"`
}

type themeProgress struct {
	ID       string `json:"id"`
	Answered int    `json:"answered"`
	Total    int    `json:"total"`
}

// autosaveAnswer saves one item as soon as it changes (from autosave.js) and
// answers with the new progress. A missing field keeps its stored value; a
// version older than the stored one is refused with 409 and what the other
// person saved.
func (s *Server) autosaveAnswer(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	// A field the form leaves out keeps its stored value; autosave.js
	// sends both, so most saves read nothing before saving.
	var old assessment.Answer
	if !form.Has("answer") || !form.Has("note") {
		if old, err = s.Work.StoredAnswer(ctx, who(c), id, itemID); err != nil {
			return err
		}
	}
	in, err := parseAnswerForm(itemID, old, form)
	switch {
	case errors.Is(err, errBadVersion):
		return fail(http.StatusBadRequest, "error.bad_request")
	case err != nil:
		return fail(http.StatusUnprocessableEntity, "error.bad_answer")
	}
	if in.Version == nil && (!form.Has("answer") || !form.Has("note")) {
		// The kept field was read just now: a colleague's save in between
		// must not be overwritten with it.
		in.Version = &old.Version
	}
	saved, err := s.Work.Autosave(ctx, who(c), id, in)
	if err != nil {
		var ce *workflow.ConflictError
		switch {
		case errors.As(err, &ce):
			return c.JSON(http.StatusConflict, map[string]any{
				"error": s.conflictMessage(c, ce), "answer": ce.Current.Value, "note": ce.Current.Note,
				"version": ce.Current.Version, "was": loadedState(ce.Current),
			})
		case errors.Is(err, workflow.ErrReadOnly):
			return c.JSON(http.StatusConflict, map[string]string{"error": s.readOnlyMessage(c, err)})
		}
		if key, ok := answerErrorKey(err); ok {
			return fail(http.StatusUnprocessableEntity, key)
		}
		return err
	}
	a := saved.Answer
	out := autosaveResponse{
		Item: itemID, Answer: a.Value, Note: a.Note, Version: a.Version, SavedAt: a.UpdatedAt, LoadState: loadedState(a),
		Message: s.T(c, "fill.autosaved"),
	}
	if res := saved.Progress; res != nil {
		out.Progress = &progressCounts{Answered: res.Answered, Total: res.Total}
		for _, t := range res.Themes {
			out.Progress.Themes = append(out.Progress.Themes, themeProgress{ID: t.ID, Answered: t.Answered, Total: t.Total})
		}
	}
	return c.JSON(http.StatusOK, out)
}

// attach checks an uploaded file by its content and attaches it, valid
// until the date given ("" when it does not expire).
func (s *Server) attach(c echo.Context, id uint, itemID, validUntil string, fh *multipart.FileHeader) (assessment.Evidence, error) {
	if fh.Size > s.Config.MaxEvidenceBytes {
		return assessment.Evidence{}, workflow.TooLarge(s.Config.MaxEvidenceBytes)
	}
	f, err := fh.Open()
	if err != nil {
		return assessment.Evidence{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, s.Config.MaxEvidenceBytes+1))
	if err != nil {
		return assessment.Evidence{}, err
	}
	return s.Work.AttachEvidenceUntil(c.Request().Context(), who(c), id, itemID, fh.Filename, validUntil, data)
}

// evidenceProblem turns a refused upload into a message for the user.
func (s *Server) evidenceProblem(c echo.Context, err error) (string, bool) {
	var re *evidence.RefusedError
	switch {
	case errors.As(err, &re):
		return s.T(c, "evidence.refused."+re.Reason) + " (" + re.Detail + ")", true
	case errors.Is(err, workflow.ErrReadOnly):
		return s.readOnlyMessage(c, err), true
	case errors.Is(err, workflow.ErrUnknownItem):
		return s.T(c, "error.unknown_item"), true
	case isFault(err): // a malformed "valid until" date
		return s.faultMessage(c, err), true
	}
	return "", false
}

// uploadEvidence attaches one file to an item (from autosave.js or a plain form).
func (s *Server) uploadEvidence(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	fh, err := c.FormFile("file")
	if err != nil {
		return fail(http.StatusUnprocessableEntity, "evidence.no_file")
	}
	e, err := s.attach(c, id, itemID, c.FormValue("valid_until"), fh)
	if err != nil {
		if msg, ok := s.evidenceProblem(c, err); ok {
			status := http.StatusUnprocessableEntity
			if errors.Is(err, workflow.ErrReadOnly) {
				status = http.StatusConflict
			}
			if wantsJSON(c) {
				return c.JSON(status, map[string]string{"error": msg})
			}
			return &userError{Status: status, Key: "error.read_only_message", Args: []any{msg}}
		}
		return err
	}
	if wantsJSON(c) {
		return c.JSON(http.StatusCreated, map[string]any{
			"id": e.ID, "name": e.Name, "size": e.Size, "sha256": e.SHA256, "kind": e.Kind, "valid_until": e.ValidUntil,
			"url": fmt.Sprintf("/assessments/%d/evidence/%d", id, e.ID), "message": s.T(c, "evidence.uploaded"),
		})
	}
	flash(c, "evidence.uploaded")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d#item-%s", id, itemID))
}

// downloadEvidence serves a file to the firm's users and to auditors who may
// see the assessment, always as an attachment the browser must not sniff.
func (s *Server) downloadEvidence(c echo.Context) error { return s.serveEvidence(c, false) }

// viewEvidence shows an image or PDF in the browser; other kinds are
// downloaded as by downloadEvidence.
func (s *Server) viewEvidence(c echo.Context) error { return s.serveEvidence(c, true) }

// serveEvidence serves the evidence file of the request's path, shown in
// the browser when inline and its kind allows it.
func (s *Server) serveEvidence(c echo.Context, inline bool) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	eid, err := idParam(c, "eid")
	if err != nil {
		return err
	}
	e, data, err := s.Work.EvidenceFile(c.Request().Context(), who(c), id, eid)
	if err != nil {
		return err
	}
	s.Log.Info("evidence served", "assessment", id, "evidence", eid, "inline", inline, "user", currentUser(c).ID)
	k := evidence.Kind(e.Kind)
	if inline && k.Inline() {
		evidence.SetViewHeaders(c.Response().Header(), e.Name, k)
	} else {
		evidence.SetDownloadHeaders(c.Response().Header(), e.Name)
	}
	return c.Blob(http.StatusOK, k.ContentType(), data)
}

// removeEvidence detaches a file from an editable assessment.
func (s *Server) removeEvidence(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	eid, err := idParam(c, "eid")
	if err != nil {
		return err
	}
	if err := s.Work.RemoveEvidence(c.Request().Context(), who(c), id, eid); err != nil {
		if errors.Is(err, workflow.ErrReadOnly) {
			return &userError{Status: http.StatusConflict, Key: "error.read_only_message", Args: []any{s.readOnlyMessage(c, err)}}
		}
		return err
	}
	flash(c, "evidence.removed")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d", id))
}

// autosavePlan saves an item's rectification plan from autosave.js once its
// fields are complete, refusing a save against an older version with 409.
func (s *Server) autosavePlan(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	in, err := parsePlanForm(form)
	switch {
	case errors.Is(err, errBadVersion):
		return fail(http.StatusBadRequest, "error.bad_request")
	case isFault(err):
		return c.JSON(http.StatusUnprocessableEntity, map[string]string{"error": s.T(c, "plan.invalid", itemID, s.itemFaultMessage(c, err))})
	}
	p, err := s.Work.SavePlan(c.Request().Context(), who(c), id, itemID, in)
	var pe *workflow.PlanConflictError
	switch {
	case errors.As(err, &pe):
		return c.JSON(http.StatusConflict, map[string]any{"error": s.T(c, "plan.conflict", itemID, pe.Current.UpdatedBy), "was": planState(pe.Current)})
	case isFault(err):
		return c.JSON(http.StatusUnprocessableEntity, map[string]string{"error": s.T(c, "plan.invalid", itemID, s.itemFaultMessage(c, err))})
	case errors.Is(err, workflow.ErrReadOnly):
		return c.JSON(http.StatusConflict, map[string]string{"error": s.readOnlyMessage(c, err)})
	case err != nil:
		if key, ok := answerErrorKey(err); ok {
			return fail(http.StatusUnprocessableEntity, key)
		}
		return err
	}
	out := map[string]any{"was": planState(p), "version": p.Version, "message": s.T(c, "plan.saved"), "missing": []string{}}
	if missing := p.Missing(); len(missing) > 0 {
		out["missing"], out["message"] = missing, s.T(c, "plan.draft_saved", s.planFieldNames(c, missing))
	}
	return c.JSON(http.StatusOK, out)
}

// planFieldNames lists the plan's fields by their labels, in the page's
// language.
func (s *Server) planFieldNames(c echo.Context, fields []string) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = s.T(c, "plan."+f)
	}
	return strings.Join(names, s.T(c, "list.separator"))
}
