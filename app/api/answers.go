package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/workflow"
)

type answerRequest struct {
	Response *string `json:"response"`
	Note     *string `json:"note"`
	Version  *int    `json:"version"`
}

// saveAnswer stores one item's answer. A missing note keeps the stored one.
// With a version that is not the stored one (0 before the first answer) the
// save is refused with 409 and the current answer.
func (a *API) saveAnswer(c echo.Context, p access.Principal) error {
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
	in, err := req.input(itemID)
	if err != nil {
		return err
	}
	if req.Note == nil {
		// Keep the stored note. Without a version from the caller, the one
		// read here guards the save, so a note a colleague saves meanwhile
		// is never overwritten with the older one.
		sh, err := a.Work.AnswerSheet(ctx, p, id)
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
	saved, err := a.Work.SaveAnswers(ctx, p, id, []workflow.AnswerInput{in})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, savedAnswerView{Item: itemID, answerView: answerOf(saved[itemID])})
}

// input checks a decoded answer request and returns what to save: the
// response is required and must be one of responseList; without a note the
// note is left for the caller to fill in.
func (r answerRequest) input(itemID string) (workflow.AnswerInput, error) {
	if r.Response == nil {
		return workflow.AnswerInput{}, invalid("response", "response is required: one of %s", responseList)
	}
	value, ok := parseResponse(*r.Response)
	if !ok {
		return workflow.AnswerInput{}, invalid("response", "response must be one of %s", responseList)
	}
	in := workflow.AnswerInput{ItemID: itemID, Value: value, Version: r.Version}
	if r.Note != nil {
		in.Note = *r.Note
	}
	return in, nil
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
func (a *API) savePlan(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	itemID := c.Param("item")
	var req planRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	plan, err := a.Work.SavePlan(c.Request().Context(), p, id, itemID, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, planOf(itemID, plan))
}

// input checks a decoded plan request with the domain's rule for what may
// be saved (assessment.Plan.ValidateDraft: a draft is kept, submission
// needs it complete) and returns what to save; the status is open unless
// one is given.
func (r planRequest) input() (workflow.PlanInput, error) {
	status := assessment.PlanOpen
	if r.Status != nil {
		status = assessment.PlanStatus(*r.Status)
	}
	p := assessment.NewPlan(r.Measure, r.Owner, r.Due, status)
	if err := p.ValidateDraft(); err != nil {
		return workflow.PlanInput{}, err
	}
	// The status as kept: an empty one sent is open, as none sent is.
	return workflow.PlanInput{Measure: r.Measure, Owner: r.Owner, Due: r.Due, Status: p.Status, Version: r.Version}, nil
}

func isDate(s string) bool {
	_, err := time.Parse(assessment.DateLayout, s)
	return err == nil
}
