package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/notify"
	"selfcheck/app/workflow"
)

// saveNotificationPrefs sets the user's mode of each event from the
// profile's form (one select per event, named mode.<event>).
func (s *Server) saveNotificationPrefs(c echo.Context) error {
	modes := map[string]string{}
	for _, e := range notify.Events() {
		if v := c.FormValue("mode." + e); v != "" {
			modes[e] = v
		}
	}
	err := s.Work.SetNotificationPrefs(c.Request().Context(), who(c), modes)
	if isFault(err) {
		return s.renderProfile(c, http.StatusUnprocessableEntity, profilePage{PrefsErrors: []string{s.faultMessage(c, err)}})
	}
	if err != nil {
		return err
	}
	flash(c, "notify2.prefs_saved")
	return c.Redirect(http.StatusSeeOther, "/profile#notifications")
}

type unsubscribePage struct {
	Token string
	Event string
	Done  bool
}

// unsubscribeForm is where an e-mail's unsubscribe link lands: it names
// the kind of event and asks to confirm, so a mail scanner that follows
// links turns nothing off. No sign-in: the signed token is the proof.
func (s *Server) unsubscribeForm(c echo.Context) error {
	token := c.QueryParam("t")
	event, err := s.Work.CheckUnsubscribe(c.Request().Context(), token)
	if errors.Is(err, workflow.ErrNotFound) {
		return fail(http.StatusNotFound, "notify2.unsubscribe_invalid")
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unsubscribe", s.T(c, "notify2.unsubscribe_title"), unsubscribePage{Token: token, Event: event})
}

// unsubscribe turns e-mail off for the token's user and event and says so.
func (s *Server) unsubscribe(c echo.Context) error {
	event, err := s.Work.Unsubscribe(c.Request().Context(), c.FormValue("t"))
	if errors.Is(err, workflow.ErrNotFound) {
		return fail(http.StatusNotFound, "notify2.unsubscribe_invalid")
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "unsubscribe", s.T(c, "notify2.unsubscribe_title"), unsubscribePage{Event: event, Done: true})
}
