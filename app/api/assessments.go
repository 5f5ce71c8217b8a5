package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/workflow"
)

// getAssessment answers one assessment with its items, answers, plans,
// evidence and score. Another firm's is a 404.
func (a *API) getAssessment(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	return a.answerSheet(c, p, http.StatusOK, id)
}

// answerSheet loads an assessment and answers it with status.
func (a *API) answerSheet(c echo.Context, p access.Principal, status int, id uint) error {
	sh, err := a.Work.Sheet(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	rounds, err := a.Work.ReviewHistory(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	v := sheetView(sh, a.today())
	v.Reviews = reviewsView(rounds)
	today := a.Work.Today()
	for i := range v.Items {
		if pl := v.Items[i].Plan; pl != nil {
			pl.Overdue = sh.Plans[v.Items[i].ID].Overdue(today)
		}
	}
	asg, err := a.Work.Assignments(c.Request().Context(), p, id)
	if err != nil {
		return err
	}
	withAssignees(&v, asg)
	if sh.CarriedFrom != 0 {
		rev, err := a.Work.Revisions(c.Request().Context(), p, id)
		if err != nil {
			return err
		}
		withRevisions(&v, rev)
	}
	return c.JSON(status, v)
}

type createRequest struct {
	Themes   []string  `json:"themes"`
	Campaign *uint     `json:"campaign"`
	Profile  *[]string `json:"profile"`
	// CarryFrom is the firm's assessment of the campaign Campaign follows
	// to start from: its answers, notes, evidence and open plans.
	CarryFrom *uint `json:"carry_from"`
}

// createAssessment starts an assessment for the caller's firm: in a
// campaign it takes part in (the campaign's themes apply, any themes sent
// are ignored), or with the themes chosen. Without a profile, the firm's
// last declared one applies.
func (a *API) createAssessment(c echo.Context, p access.Principal) error {
	var req createRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := workflow.StartInput{Themes: req.Themes, Profile: req.Profile}
	if req.Campaign != nil {
		if *req.Campaign == 0 {
			return errNotFound
		}
		in.Campaign = *req.Campaign
	}
	if req.CarryFrom != nil {
		if *req.CarryFrom == 0 {
			return errNotFound
		}
		if req.Campaign == nil {
			return invalid("carry_from", "carry_from needs campaign: an assessment carries over into a follow-up campaign's")
		}
		in.CarryFrom = *req.CarryFrom
	}
	id, err := a.Work.StartAssessment(c.Request().Context(), p, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/assessments/%d", Prefix, id))
	return a.answerSheet(c, p, http.StatusCreated, id)
}
