package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
)

func assessmentURL(id uint) string { return fmt.Sprintf("%s/assessments/%d", Prefix, id) }

type firmPlanView struct {
	planView
	Assessment      uint             `json:"assessment"`
	AssessmentState assessment.State `json:"assessment_state"`
	URL             string           `json:"url"`
}

// listPlans answers every rectification plan of the caller's firm across
// its assessments, by due date, as the plans page lists them.
func (a *API) listPlans(c echo.Context, p access.Principal) error {
	rows, err := a.Work.Plans(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]firmPlanView, len(rows))
	for i, r := range rows {
		out[i] = firmPlanView{planView: a.livePlanOf(r.ItemID, r.Plan), Assessment: r.AssessmentID, AssessmentState: r.State, URL: assessmentURL(r.AssessmentID)}
	}
	return c.JSON(http.StatusOK, map[string]any{"plans": out})
}

type eventView struct {
	At       string  `json:"at"`
	User     string  `json:"user"`
	Item     *string `json:"item"`  // null for a workflow step
	Field    string  `json:"field"` // answer, note, plan.measure, plan.owner, plan.due, plan.status, evidence or state
	OldValue string  `json:"old_value"`
	NewValue string  `json:"new_value"`
	Comment  string  `json:"comment"`
}

// history answers who changed what and when in an assessment, and every
// workflow step, newest first: the timeline page's events.
func (a *API) history(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	events, err := a.Work.Timeline(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	out := make([]eventView, len(events))
	for i, e := range events {
		out[i] = eventView{At: timestamp(e.At), User: e.User, Item: optString(e.ItemID), Field: e.Field,
			OldValue: e.OldValue, NewValue: e.NewValue, Comment: e.Comment}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": out})
}

// removeEvidence detaches an evidence file from an item of an editable
// assessment, as the page's remove button does; the file stays in the
// history. A file of another item is a 404.
func (a *API) removeEvidence(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	eid, err := idParam(c, "evidenceID")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sh, err := a.Work.Sheet(ctx, p, id)
	if err != nil {
		return err
	}
	found := false
	for _, e := range sh.Evidence[c.Param("item")] {
		found = found || e.ID == eid
	}
	if !found {
		return errNotFound
	}
	if err := a.Work.RemoveEvidence(ctx, p, id, eid); err != nil {
		return err
	}
	a.Log.Info("evidence removed", "via", "api", "assessment", id, "evidence", eid, "user", p.ID)
	return c.NoContent(http.StatusNoContent)
}
