package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/workflow"
)

type timelinePage struct {
	Sheet    *assessment.Sheet
	Activity []workflow.Activity
	Events   []workflow.Event
}

// timelineActivity is how many of the latest activities the page shows
// above the full history.
const timelineActivity = 20

// timeline shows the latest activity, then who changed what and when, and
// every workflow step.
func (s *Server) timeline(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	activity, _, err := s.Work.Activity(ctx, who(c), sh.ID, 0, timelineActivity)
	if err != nil {
		return err
	}
	events, err := s.Work.Timeline(ctx, who(c), sh.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "timeline", s.T(c, "timeline.title", sh.ID), timelinePage{Sheet: sh, Activity: activity, Events: events})
}

type plansPage struct {
	Plans []workflow.PlanRow
	Today string
}

// plans lists every rectification plan of the firm, by due date.
func (s *Server) plans(c echo.Context) error {
	rows, err := s.Work.Plans(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "plans", s.T(c, "plans.title"), plansPage{Plans: rows, Today: s.today()})
}
