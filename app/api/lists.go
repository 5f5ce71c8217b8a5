package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/store"
)

// listChecklists answers the themes offered for new assessments.
func (a *API) listChecklists(c echo.Context, _ *store.User) error {
	cat, _, err := a.Catalog.Catalog(c.Request().Context())
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
func (a *API) listCampaigns(c echo.Context, u *store.User) error {
	rows, err := a.Store.Campaigns(c.Request().Context(), u)
	if err != nil {
		return err
	}
	out := make([]campaignView, len(rows))
	for i, r := range rows {
		out[i] = campaignOf(r, u.Role)
	}
	return c.JSON(http.StatusOK, map[string]any{"campaigns": out})
}

// listAssessments answers the assessments the caller may see: the firm's
// own, or for auditors and admins those they may review.
func (a *API) listAssessments(c echo.Context, u *store.User) error {
	rows, err := a.Store.ListAssessments(c.Request().Context(), u)
	if err != nil {
		return err
	}
	out := make([]summaryView, len(rows))
	for i, r := range rows {
		out[i] = summaryOf(r)
	}
	return c.JSON(http.StatusOK, map[string]any{"assessments": out})
}
