package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/evidence"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

type reviewPage struct {
	Sheet    *assessment.Sheet
	Last     workflow.LastReview
	Decision string
	Comment  string
	Verdicts map[string]string // item -> verdict posted
	Comments map[string]string // item -> comment posted
	Error    string
	Today    string
	Diff     workflow.Diff // what the firm changed since it was last returned
	Team     *teamView     // assignments and comment threads (assignments.go)

	// Triage (review_view.go): the view shown, the links to the others,
	// and the summary at the top.
	Filter, Theme string
	Filters       []viewLink
	Themes        []themeLink
	AllThemesHref string
	Result        scoring.Result
	Gaps          []severityCount
	FlaggedOpen   int // flagged in the latest review and not changed since
	filter        reviewFilter
}

// HasChange reports whether the firm changed item since the last return.
func (p reviewPage) HasChange(item string) bool {
	_, ok := p.Diff.Items[item]
	return ok
}

// Change is what the firm changed in item since the last return.
func (p reviewPage) Change(item string) workflow.ItemDiff { return p.Diff.Items[item] }

// Inline reports whether an evidence file of kind can be viewed in the
// browser (images and PDF).
func (p reviewPage) Inline(kind string) bool { return evidence.Kind(kind).Inline() }

// Reviewable reports whether an auditor may decide now.
func (p reviewPage) Reviewable() bool {
	return p.Sheet.State == assessment.Submitted || p.Sheet.State == assessment.Resubmitted
}

// reviewForm shows a submission item by item for an auditor's verdicts.
func (s *Server) reviewForm(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	filter := c.QueryParam("filter")
	if c.QueryParam("changed") == "1" && filter == "" { // the links of earlier pages
		filter = "changed"
	}
	return s.renderReview(c, http.StatusOK, sh, reviewPage{Decision: "approve", Filter: filter, Theme: c.QueryParam("theme")})
}

func (s *Server) renderReview(c echo.Context, status int, sh *assessment.Sheet, page reviewPage) error {
	last, err := s.Work.LatestReview(c.Request().Context(), who(c), sh.ID)
	if err != nil {
		return err
	}
	diff, err := s.Work.ChangesSinceReturn(c.Request().Context(), who(c), sh.ID)
	if err != nil {
		return err
	}
	page.Sheet, page.Last, page.Today, page.Diff = sh, last, s.today(), diff
	if page.Team, err = s.loadTeam(c, sh.ID, "review"); err != nil {
		return err
	}
	if err := chooseReviewView(&page, page.Filter, page.Theme); err != nil {
		return err
	}
	return s.render(c, status, "review", s.T(c, "review.title", sh.ID), page)
}

// review records the auditor's decision with the item verdicts.
func (s *Server) review(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return fail(http.StatusBadRequest, "error.bad_request")
	}
	d := assessment.Decision{Action: assessment.Action(form.Get("decision")), Comment: form.Get("comment")}
	page := reviewPage{Decision: form.Get("decision"), Comment: d.Comment, Verdicts: map[string]string{}, Comments: map[string]string{},
		Filter: form.Get("filter"), Theme: form.Get("theme")}
	if !knownReviewView(sh, page.Filter, page.Theme) {
		page.Filter, page.Theme = "", ""
	}
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v := form.Get("verdict." + it.ID)
			comment := strings.TrimSpace(form.Get("comment." + it.ID))
			page.Verdicts[it.ID], page.Comments[it.ID] = v, comment
			if v == "" {
				continue
			}
			d.Items = append(d.Items, assessment.ItemVerdict{ItemID: it.ID, Verdict: assessment.Verdict(v), Comment: comment})
		}
	}
	err = s.Work.Review(c.Request().Context(), who(c), sh.ID, d)
	switch {
	case isFault(err):
		page.Error = s.T(c, "review.invalid", s.faultMessage(c, err))
		return s.renderReview(c, http.StatusUnprocessableEntity, sh, page)
	case errors.Is(err, workflow.ErrReadOnly):
		page.Error = s.readOnlyMessage(c, err)
		return s.renderReview(c, http.StatusConflict, sh, page)
	case err != nil:
		return err
	}
	s.Log.Info("assessment reviewed", "assessment", sh.ID, "decision", d.Action, "user", currentUser(c).ID)
	flash(c, "review.done")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/assessments/%d/review", sh.ID))
}
