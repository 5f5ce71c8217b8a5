package api

import (
	"net/http"

	"selfcheck/app/access"

	"github.com/labstack/echo/v4"
)

// listChecklists answers the themes offered for new assessments.
func (a *API) listChecklists(c echo.Context, _ access.Principal) error {
	cat, _, err := a.Work.Catalog(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]checklistView, len(cat.Checklists))
	for i, cl := range cat.Checklists {
		out[i] = checklistView{ID: cl.ID, Version: cl.Version, Title: textOf(cl.Title), ItemCount: len(cl.Items())}
	}
	return c.JSON(http.StatusOK, map[string]any{"checklists": out})
}

// listCampaigns answers the campaigns the caller's firm takes part in, or
// those an auditor reviews (every one for admins).
func (a *API) listCampaigns(c echo.Context, p access.Principal) error {
	rows, err := a.Work.Campaigns(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]campaignView, len(rows))
	for i, r := range rows {
		out[i] = campaignOf(r, p.Role)
	}
	return c.JSON(http.StatusOK, map[string]any{"campaigns": out})
}

// listAssessments answers the assessments the caller may see: the firm's
// own, or for auditors and admins those they may review.
func (a *API) listAssessments(c echo.Context, p access.Principal) error {
	rows, err := a.Work.Assessments(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := make([]summaryView, len(rows))
	for i, r := range rows {
		out[i] = summaryOf(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"assessments": out})
}
