package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/assessment"
	"selfcheck/app/fault"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

type queueRowView struct {
	ID           uint             `json:"id"`
	Firm         firmView         `json:"firm"`
	Campaign     *textView        `json:"campaign"`
	State        assessment.State `json:"state"`
	SubmittedAt  string           `json:"submitted_at"`
	Score        *float64         `json:"score"`
	Grade        *string          `json:"grade"`
	CriticalGaps int              `json:"critical_gaps"`
	Gaps         int              `json:"gaps"`
	URL          string           `json:"url"`
}

type queueView struct {
	Items []queueRowView `json:"items"`
	// Total counts the submissions matching the filter, at most
	// workflow.QueueCountCap; More says more than that match.
	Total int64 `json:"total"`
	More  bool  `json:"more"`
	Page  int   `json:"page"`
	Pages int   `json:"pages"`
}

// reviewQueue answers the submissions waiting for review that the caller
// may review (an auditor: those of their campaigns), filtered, sorted and
// paged with the review page's query parameters.
func (a *API) reviewQueue(c echo.Context, p access.Principal) error {
	q := c.QueryParams()
	f := workflow.QueueFilter{State: assessment.State(q.Get("state")), Grade: scoring.Grade(q.Get("grade")), Theme: q.Get("theme"),
		Firm: strings.TrimSpace(q.Get("firm")), Sort: workflow.QueueSort(q.Get("sort")), Desc: q.Get("desc") == "1" || q.Get("desc") == "true",
		AwaitingVerification: q.Get("awaiting_verification") == "1" || q.Get("awaiting_verification") == "true"}
	if v := q.Get("campaign"); v != "" {
		id, err := strconv.ParseUint(v, 10, 32)
		if err != nil || id == 0 {
			return invalid("campaign", "campaign must be a campaign id")
		}
		f.CampaignID = uint(id)
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalid("page", "page must be a positive integer")
		}
		f.Page = n
	}
	switch f.Grade {
	case "", scoring.Excellent, scoring.Good, scoring.Pass, scoring.Fail:
	default:
		return fault.Field("grade", fault.OneOf, string(f.Grade))
	}
	res, err := a.Work.ReviewQueue(c.Request().Context(), p, f)
	if err != nil {
		return err
	}
	out := queueView{Items: []queueRowView{}, Total: res.Total, More: res.More, Page: res.Page, Pages: res.Pages}
	for _, r := range res.Rows {
		v := queueRowView{ID: r.ID, Firm: firmView{Name: r.FirmName, CreditCode: r.CreditCode}, State: r.State,
			SubmittedAt: timestamp(r.SubmittedAt), Score: r.Score, Grade: optString(string(r.Grade)),
			CriticalGaps: r.CriticalGaps, Gaps: r.Gaps, URL: assessmentURL(r.ID)}
		if r.Campaign.ZH != "" {
			t := textOf(r.Campaign)
			v.Campaign = &t
		}
		out.Items = append(out.Items, v)
	}
	return c.JSON(http.StatusOK, out)
}
