package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/checklist"
	"selfcheck/app/store"
)

// getAssessment answers one assessment with its items, answers, plans,
// evidence and score. Another firm's is a 404.
func (a *API) getAssessment(c echo.Context, u *store.User) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerSheet(c, u, http.StatusOK, id)
}

// answerSheet loads an assessment and answers it with status.
func (a *API) answerSheet(c echo.Context, u *store.User, status int, id uint) error {
	sh, err := a.Store.Sheet(c.Request().Context(), u, id)
	if err != nil {
		return err
	}
	rounds, err := a.Store.ReviewHistory(c.Request().Context(), u, id)
	if err != nil {
		return err
	}
	v := sheetView(sh)
	v.Reviews = reviewsView(rounds)
	return c.JSON(status, v)
}

type createRequest struct {
	Themes   []string  `json:"themes"`
	Campaign *uint     `json:"campaign"`
	Profile  *[]string `json:"profile"`
}

// createAssessment starts an assessment for the caller's firm: in a
// campaign it takes part in (the campaign's themes apply, any themes sent
// are ignored), or with the themes chosen. Without a profile, the firm's
// last declared one applies.
func (a *API) createAssessment(c echo.Context, u *store.User) error {
	ctx := c.Request().Context()
	var req createRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	themeIDs := req.Themes
	var campaignID *uint
	if req.Campaign != nil {
		camp, err := a.Store.Campaign(ctx, u, *req.Campaign)
		if err != nil {
			return err
		}
		campaignID, themeIDs = &camp.ID, camp.Themes
	}
	if len(themeIDs) == 0 {
		return invalid("themes", "themes must name at least one checklist id (see GET %s/checklists), or give a campaign", Prefix)
	}
	cat, _, err := a.Catalog.Catalog(ctx)
	if err != nil {
		return err
	}
	var lists []*checklist.Checklist
	chosen := map[string]bool{}
	for _, id := range themeIDs {
		if chosen[id] {
			continue
		}
		chosen[id] = true
		cl, ok := cat.Get(id)
		if !ok {
			return invalid("themes", "themes: there is no checklist %q (see GET %s/checklists)", id, Prefix)
		}
		lists = append(lists, cl)
	}
	var profile checklist.Profile
	if req.Profile == nil {
		if profile, err = a.Store.FirmProfile(ctx, u); err != nil {
			return err
		}
	} else {
		profile = checklist.Profile{}
		for _, t := range *req.Profile {
			if !checklist.KnownTag(checklist.Tag(t)) {
				return invalid("profile", "profile: %q is not a known service; use %s", t, knownTags())
			}
			profile[checklist.Tag(t)] = true
		}
	}
	id, err := a.Store.CreateAssessment(ctx, u, lists, profile, campaignID)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/assessments/%d", Prefix, id))
	return a.answerSheet(c, u, http.StatusCreated, id)
}

func knownTags() string {
	out := make([]string, len(checklist.Tags))
	for i, t := range checklist.Tags {
		out[i] = string(t.Tag)
	}
	return strings.Join(out, ", ")
}
