package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
)

// submitPage is the confirmation step before a submission: what is about
// to be sent, and to whom.
type submitPage struct {
	Sheet     *assessment.Sheet
	Result    scoring.Result
	Gaps      int
	Blockers  []assessment.Blocker
	Reviewers []string // the campaign's auditors, by name
	// Unconfirmed counts the answers carried over from the last cycle
	// that nobody has confirmed yet.
	Unconfirmed int
}

// submitConfirm shows what a submission will send (score, grade, gaps, the
// campaign and who reviews it) with the one button that submits: a POST of
// the fill-in form's action "submit", with its CSRF token. Without
// JavaScript it is a page; the fill-in page's script shows the same
// section in a dialog. Showing it changes nothing.
func (s *Server) submitConfirm(c echo.Context) error {
	sh, err := s.loadSheet(c)
	if err != nil {
		return err
	}
	if !sh.Editable() {
		return &userError{Status: http.StatusConflict, Key: "error.read_only_state", Args: []any{s.T(c, "state."+string(sh.State))}}
	}
	page := submitPage{Sheet: sh, Result: sh.Result(), Gaps: len(sh.Gaps()), Blockers: sh.Blockers()}
	for _, b := range page.Blockers {
		if slices.Contains(b.Reasons, assessment.BlockUnconfirmed) {
			page.Unconfirmed++
		}
	}
	if sh.Campaign != nil {
		campaigns, err := s.Work.Campaigns(c.Request().Context(), who(c))
		if err != nil {
			return err
		}
		for _, cv := range campaigns {
			if cv.ID != sh.Campaign.ID {
				continue
			}
			for _, a := range cv.Auditors {
				page.Reviewers = append(page.Reviewers, a.Name)
			}
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.render(c, http.StatusOK, "submit", s.T(c, "confirm.title", sh.ID), page)
}
