package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/store"
)

type answerRequest struct {
	Response *string `json:"response"`
	Note     *string `json:"note"`
	Version  *int    `json:"version"`
}

// saveAnswer stores one item's answer. A missing note keeps the stored one.
// With a version that is not the stored one (0 before the first answer) the
// save is refused with 409 and the current answer.
func (a *API) saveAnswer(c echo.Context, u *store.User) error {
	ctx := c.Request().Context()
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	var req answerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Response == nil {
		return invalid("response", "response is required: one of %s", responseList)
	}
	value, ok := parseResponse(*req.Response)
	if !ok {
		return invalid("response", "response must be one of %s", responseList)
	}
	in := store.AnswerInput{ItemID: itemID, Value: value, Version: req.Version}
	if req.Note != nil {
		in.Note = *req.Note
	} else {
		// Keep the stored note. Without a version from the caller, the one
		// read here guards the save, so a note a colleague saves meanwhile
		// is never overwritten with the older one.
		sh, err := a.Store.Sheet(ctx, u, id)
		if err != nil {
			return err
		}
		if _, _, ok := sh.Find(itemID); !ok {
			return errNotFound
		}
		old := sh.Answers[itemID]
		in.Note = old.Note
		if in.Version == nil {
			in.Version = &old.Version
		}
	}
	saved, err := a.Store.SaveAnswers(ctx, u, id, []store.AnswerInput{in})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, savedAnswerView{Item: itemID, answerView: answerOf(saved[itemID])})
}

type planRequest struct {
	Measure string  `json:"measure"`
	Owner   string  `json:"owner"`
	Due     string  `json:"due"`
	Status  *string `json:"status"`
	Version *int    `json:"version"`
}

// savePlan stores an item's rectification plan: what will be done, by whom,
// by when. Status defaults to open.
func (a *API) savePlan(c echo.Context, u *store.User) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	var req planRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	status := assessment.PlanOpen
	if req.Status != nil {
		status = assessment.PlanStatus(*req.Status)
	}
	switch {
	case strings.TrimSpace(req.Measure) == "":
		return invalid("measure", "measure is required: what will be done to rectify the gap")
	case strings.TrimSpace(req.Owner) == "":
		return invalid("owner", "owner is required: who is responsible")
	case !isDate(strings.TrimSpace(req.Due)):
		return invalid("due", "due must be a date written YYYY-MM-DD")
	case !status.Valid():
		return invalid("status", "status must be one of open, in_progress, done")
	}
	p, err := a.Store.SavePlan(c.Request().Context(), u, id, itemID, store.PlanInput{
		Measure: req.Measure, Owner: req.Owner, Due: req.Due, Status: status, Version: req.Version,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, planOf(itemID, p))
}

func isDate(s string) bool {
	_, err := time.Parse(assessment.DateLayout, s)
	return err == nil
}
