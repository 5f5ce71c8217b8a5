package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/workflow"
)

type reviewRequest struct {
	Decision string              `json:"decision"`
	Comment  string              `json:"comment"`
	Items    []reviewItemRequest `json:"items"`
}

type reviewItemRequest struct {
	Item    string `json:"item"`
	Verdict string `json:"verdict"`
	Comment string `json:"comment"`
}

// review records an auditor's decision (approve, request_changes, reject)
// with item verdicts, and answers with the assessment and its review history.
func (a *API) review(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req reviewRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d := assessment.Decision{Action: assessment.Action(req.Decision), Comment: req.Comment}
	for i, it := range req.Items {
		if strings.TrimSpace(it.Item) == "" {
			return invalid("items", "items[%d].item is required", i)
		}
		d.Items = append(d.Items, assessment.ItemVerdict{ItemID: it.Item, Verdict: assessment.Verdict(it.Verdict), Comment: it.Comment})
	}
	if err := a.Work.Review(c.Request().Context(), p, id, d); err != nil {
		// A verdict's fields are inside the request's items.
		if fe, ok := fault.AsField(err); ok && (fe.Item != "" || fe.Field == "verdict" || fe.Field == "item") {
			return &fieldError{FieldError: fe, field: "items"}
		}
		return err
	}
	a.Log.Info("assessment reviewed", "via", "api", "assessment", id, "decision", d.Action, "user", p.ID)
	return a.answerSheet(c, p, http.StatusOK, id)
}

type reviewRoundView struct {
	State    assessment.State `json:"state"`
	Comment  string           `json:"comment"`
	Reviewer string           `json:"reviewer"`
	At       string           `json:"at"`
	Items    []verdictView    `json:"items"`
}

type verdictView struct {
	Item    string `json:"item"`
	Verdict string `json:"verdict"`
	Comment string `json:"comment"`
}

func reviewsView(rounds []workflow.ReviewRound) []reviewRoundView {
	out := make([]reviewRoundView, len(rounds))
	for i, r := range rounds {
		v := reviewRoundView{State: r.State, Comment: r.Comment, Reviewer: r.Reviewer, At: timestamp(r.At), Items: []verdictView{}}
		for _, it := range r.Items {
			v.Items = append(v.Items, verdictView{Item: it.ItemID, Verdict: it.Verdict, Comment: it.Comment})
		}
		out[i] = v
	}
	return out
}
