package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/workflow"
)

type timelinePage struct {
	Sheet  *assessment.Sheet
	Events []workflow.Event
}

// timeline shows who changed what and when, and every workflow step.
func (s *Server) timeline(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	events, err := s.Work.Timeline(c.Request().Context(), who(c), sh.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "timeline", s.T(c, "timeline.title", sh.ID), timelinePage{Sheet: sh, Events: events})
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
