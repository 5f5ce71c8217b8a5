package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
)

// planEntryView is one line of a plan's log.
type planEntryView struct {
	Kind   assessment.PlanEntryKind `json:"kind"`
	Status assessment.PlanStatus    `json:"status"`
	Text   string                   `json:"text"`
	By     string                   `json:"by"`
	At     string                   `json:"at"`
}

// planDetailView is a plan with its log and its rectification files.
type planDetailView struct {
	planView
	Log      []planEntryView `json:"log"`
	Evidence []evidenceView  `json:"evidence"`
}

func planEvidenceURL(assessmentID uint, itemID string, evidenceID uint) string {
	return fmt.Sprintf("%s/assessments/%d/plans/%s/evidence/%d", Prefix, assessmentID, itemID, evidenceID)
}

func planEvidenceOf(assessmentID uint, e assessment.Evidence) evidenceView {
	v := evidenceOf(assessmentID, e, "")
	v.URL = planEvidenceURL(assessmentID, e.ItemID, e.ID)
	return v
}

// livePlanOf is planOf with the overdue mark as of today.
func (a *API) livePlanOf(itemID string, p assessment.Plan) planView {
	v := planOf(itemID, p)
	v.Overdue = p.Overdue(a.Work.Today())
	return v
}

// getPlan answers an item's plan with its progress log (oldest first) and
// its rectification files, to the firm's users and the reviewers who may
// see the assessment. An item without a plan is a 404.
func (a *API) getPlan(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	ctx := c.Request().Context()
	sh, err := a.Work.Sheet(ctx, p, id)
	if err != nil {
		return err
	}
	plan, ok := sh.Plans[itemID]
	if !ok {
		return errNotFound
	}
	recs, err := a.Work.PlanRecords(ctx, p, id)
	if err != nil {
		return err
	}
	v := planDetailView{planView: a.livePlanOf(itemID, plan), Log: []planEntryView{}, Evidence: []evidenceView{}}
	for _, e := range recs.Entries[itemID] {
		v.Log = append(v.Log, planEntryView{Kind: e.Kind, Status: e.Status, Text: e.Text, By: e.By, At: timestamp(e.At)})
	}
	for _, e := range recs.Evidence[itemID] {
		v.Evidence = append(v.Evidence, planEvidenceOf(id, e))
	}
	return c.JSON(http.StatusOK, v)
}

type progressRequest struct {
	Status  *string `json:"status"`
	Note    string  `json:"note"`
	DoneOn  string  `json:"done_on"`
	Version *int    `json:"version"`
}

// reportProgress records the firm's progress on a plan, also after the
// assessment is submitted or approved: a new status (open, in_progress,
// done), a note for the plan's log, the completion date. The version the
// caller last saw is required; a stale one is a 409 with the plan as it is.
func (a *API) reportProgress(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req progressRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Version == nil {
		return invalid("version", "version is required: send the plan's version you last read")
	}
	pr := assessment.PlanProgress{Note: req.Note, DoneOn: req.DoneOn}
	if req.Status != nil {
		pr.Status = assessment.PlanStatus(*req.Status)
		if !pr.Status.Known() {
			return invalid("status", "status must be one of open, in_progress, done")
		}
	}
	plan, err := a.Work.ReportProgress(c.Request().Context(), p, id, c.Param("item"), pr, *req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.livePlanOf(c.Param("item"), plan))
}

type verifyRequest struct {
	Decision string `json:"decision"`
	Comment  string `json:"comment"`
	Version  *int   `json:"version"`
}

// verifyPlan records the decision of an auditor of the campaign on a plan
// marked done: accept (verified, 销号) or reopen with a comment. Auditors
// of other campaigns and other firms' users get 404, admins 403.
func (a *API) verifyPlan(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req verifyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Version == nil {
		return invalid("version", "version is required: send the plan's version you last read")
	}
	v := assessment.Verification{Decision: assessment.PlanDecision(req.Decision), Comment: req.Comment}
	plan, err := a.Work.VerifyPlan(c.Request().Context(), p, id, c.Param("item"), v, *req.Version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.livePlanOf(c.Param("item"), plan))
}

// uploadPlanEvidence attaches a file showing the plan carried out, sent in
// the multipart field "file" and checked as evidence is; unlike an
// answer's evidence it may be added after submission.
func (a *API) uploadPlanEvidence(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	name, _, data, err := a.readFile(c)
	if err != nil {
		return err
	}
	e, err := a.Work.AttachPlanEvidence(c.Request().Context(), p, id, c.Param("item"), name, data)
	if err != nil {
		return err
	}
	v := planEvidenceOf(id, e)
	c.Response().Header().Set(echo.HeaderLocation, v.URL)
	return c.JSON(http.StatusCreated, v)
}

// downloadPlanEvidence serves a rectification file as an attachment, as
// downloadEvidence serves an answer's.
func (a *API) downloadPlanEvidence(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eid, err := idParam(c, "evidenceID")
	if err != nil {
		return err
	}
	e, data, err := a.Work.PlanEvidenceFile(c.Request().Context(), p, id, eid)
	if err != nil {
		return err
	}
	if e.ItemID != c.Param("item") {
		return errNotFound
	}
	evidence.SetDownloadHeaders(c.Response().Header(), e.Name)
	return c.Blob(http.StatusOK, evidence.Kind(e.Kind).ContentType(), data)
}
