package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/evidence"
	"selfcheck/app/workflow"
)

// rectRow is one plan on the rectification page.
type rectRow struct {
	Item    checklist.Item
	Answer  assessment.Answer
	Plan    assessment.Plan
	Overdue bool
	Log     []assessment.PlanEntry
	Files   []assessment.Evidence
	// Error is why the last form sent for this plan was refused; the
	// form then shows what was typed.
	Error  string
	Posted map[string]string
}

// rectPage is the rectification page of an assessment: every plan with
// its log and files; a form to report progress for the firm and one to
// verify for the campaign's auditors.
type rectPage struct {
	Sheet     *assessment.Sheet
	Rows      []rectRow
	Today     string
	CanReport bool // a user of the firm
	CanVerify bool // an auditor (the store decides whether of this campaign: others never see the page)
	Counts    map[assessment.PlanStatus]int
	Overdue   int
}

// Statuses are the statuses a firm may choose.
func (rectPage) Statuses() []assessment.PlanStatus { return assessment.PlanStatuses }

// AllStatuses are every status a plan can have, for the counts.
func (rectPage) AllStatuses() []assessment.PlanStatus { return assessment.AllPlanStatuses }

// rectificationPage shows the plans of an assessment as they are carried
// out: status, overdue mark, log, files and the auditor's comment.
func (s *Server) rectificationPage(c echo.Context) error {
	return s.renderRectification(c, http.StatusOK, "", "", nil)
}

// renderRectification renders the page with, when item is set, the error
// of the form sent for it and what it carried.
func (s *Server) renderRectification(c echo.Context, status int, item, problem string, posted map[string]string) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	recs, err := s.Work.PlanRecords(ctx, who(c), sh.ID)
	if err != nil {
		return err
	}
	p := who(c)
	page := rectPage{Sheet: sh, Today: s.today(), CanReport: p.Role.InFirm(), CanVerify: p.Role == auth.Auditor,
		Counts: map[assessment.PlanStatus]int{}}
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			pl, ok := sh.Plans[it.ID]
			if !ok {
				continue
			}
			row := rectRow{Item: it, Answer: sh.Answers[it.ID], Plan: pl, Overdue: pl.Overdue(page.Today),
				Log: recs.Entries[it.ID], Files: recs.Evidence[it.ID]}
			if it.ID == item {
				row.Error, row.Posted = problem, posted
			}
			page.Counts[pl.Status]++
			if row.Overdue {
				page.Overdue++
			}
			page.Rows = append(page.Rows, row)
		}
	}
	return s.render(c, status, "rectification", s.T(c, "rectify.title"), page)
}

// planFormError maps a refused progress report or verification to the
// message shown beside the plan's form, with its status; ok is false for
// an error the error handler answers.
func (s *Server) planFormError(c echo.Context, item string, err error) (int, string, bool) {
	var pe *workflow.PlanConflictError
	switch {
	case errors.As(err, &pe):
		return http.StatusConflict, s.T(c, "rectify.conflict", item, pe.Current.UpdatedBy), true
	case isFault(err):
		return http.StatusUnprocessableEntity, s.itemFaultMessage(c, err), true
	}
	return 0, "", false
}

// formVersion reads the plan version a form carries; a missing or bad one
// is 0, which no stored plan has, so the save is refused as stale.
func formVersion(c echo.Context) int {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return v
}

func rectURL(id uint, item string) string {
	return fmt.Sprintf("/assessments/%d/rectification#plan-%s", id, item)
}

// reportProgress records the firm's progress on one plan from its form.
func (s *Server) reportProgress(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	item := c.Param("item")
	pr := assessment.PlanProgress{Status: assessment.PlanStatus(c.FormValue("status")), Note: c.FormValue("note"), DoneOn: c.FormValue("done_on")}
	posted := map[string]string{"status": c.FormValue("status"), "note": c.FormValue("note"), "done_on": c.FormValue("done_on")}
	_, err = s.Work.ReportProgress(c.Request().Context(), who(c), id, item, pr, formVersion(c))
	if err != nil {
		if status, msg, ok := s.planFormError(c, item, err); ok {
			return s.renderRectification(c, status, item, msg, posted)
		}
		return err
	}
	flash(c, "rectify.progress_saved")
	return c.Redirect(http.StatusSeeOther, rectURL(id, item))
}

// verifyPlan records an auditor's decision on one plan from its form.
func (s *Server) verifyPlan(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	item := c.Param("item")
	v := assessment.Verification{Decision: assessment.PlanDecision(c.FormValue("decision")), Comment: c.FormValue("comment")}
	_, err = s.Work.VerifyPlan(c.Request().Context(), who(c), id, item, v, formVersion(c))
	if err != nil {
		if status, msg, ok := s.planFormError(c, item, err); ok {
			return s.renderRectification(c, status, item, msg, map[string]string{"comment": c.FormValue("comment")})
		}
		return err
	}
	if v.Decision == assessment.PlanReopen {
		flash(c, "rectify.verified_reopen")
	} else {
		flash(c, "rectify.verified_accept")
	}
	if c.FormValue("back") == "review" { // the review page's own form
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d/review#item-%s", id, item))
	}
	return c.Redirect(http.StatusSeeOther, rectURL(id, item))
}

// uploadPlanEvidence attaches a file showing a plan carried out.
func (s *Server) uploadPlanEvidence(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	item := c.Param("item")
	fh, err := c.FormFile("file")
	if err != nil {
		return fail(http.StatusUnprocessableEntity, "evidence.no_file")
	}
	if fh.Size > s.Config.MaxEvidenceBytes {
		err = workflow.TooLarge(s.Config.MaxEvidenceBytes)
	} else {
		var data []byte
		f, ferr := fh.Open()
		if ferr != nil {
			return ferr
		}
		data, err = io.ReadAll(io.LimitReader(f, s.Config.MaxEvidenceBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		_, err = s.Work.AttachPlanEvidence(c.Request().Context(), who(c), id, item, fh.Filename, data)
	}
	if err != nil {
		if msg, ok := s.evidenceProblem(c, err); ok {
			return s.renderRectification(c, http.StatusUnprocessableEntity, item, msg, nil)
		}
		return err
	}
	flash(c, "evidence.uploaded")
	return c.Redirect(http.StatusSeeOther, rectURL(id, item))
}

// downloadPlanEvidence serves a rectification file as an attachment.
func (s *Server) downloadPlanEvidence(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	eid, err := idParam(c, "eid")
	if err != nil {
		return err
	}
	e, data, err := s.Work.PlanEvidenceFile(c.Request().Context(), who(c), id, eid)
	if err != nil {
		return err
	}
	if e.ItemID != c.Param("item") {
		return fail(http.StatusNotFound, "error.not_found")
	}
	evidence.SetDownloadHeaders(c.Response().Header(), e.Name)
	return c.Blob(http.StatusOK, evidence.Kind(e.Kind).ContentType(), data)
}
