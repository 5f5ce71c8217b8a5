package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/notify"
	"selfcheck/app/workflow"
)

type smtpPage struct {
	Settings *notify.Settings // nil: e-mail is off
	To       string
	// The test's outcome: the server's answer, or why it failed.
	Reply, Failure string
}

// adminSMTP shows the SMTP settings (never the password) and the test form.
func (s *Server) adminSMTP(c echo.Context) error {
	return s.renderSMTP(c, http.StatusOK, smtpPage{To: currentUser(c).Email})
}

func (s *Server) renderSMTP(c echo.Context, status int, page smtpPage) error {
	st, err := s.Work.SMTPSettings(who(c))
	if err != nil {
		return err
	}
	page.Settings = st
	return s.render(c, status, "admin_smtp", s.T(c, "notify2.smtp.title"), page)
}

// testSMTP sends a test message now and shows the server's answer, or its
// refusal with the server's text: the admin sees why mail does not go.
func (s *Server) testSMTP(c echo.Context) error {
	to := strings.TrimSpace(c.FormValue("to"))
	reply, err := s.Work.SendTestMail(c.Request().Context(), who(c), to)
	switch {
	case errors.Is(err, workflow.ErrNoMailer):
		return s.renderSMTP(c, http.StatusUnprocessableEntity, smtpPage{To: to, Failure: s.T(c, "notify2.smtp.off")})
	case errors.Is(err, workflow.ErrNotFound):
		return err
	case err != nil:
		return s.renderSMTP(c, http.StatusBadGateway, smtpPage{To: to, Failure: err.Error()})
	}
	return s.renderSMTP(c, http.StatusOK, smtpPage{To: to, Reply: reply})
}

type deliveriesPage struct {
	Rows []workflow.DeliveryRow
}

// adminDeliveries lists the deliveries that failed, or fail still, with
// their last error and a retry button.
func (s *Server) adminDeliveries(c echo.Context) error {
	rows, err := s.Work.TroubledDeliveries(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "admin_deliveries", s.T(c, "notify2.deliveries.title"), deliveriesPage{Rows: rows})
}

// retryDelivery makes a delivery due at once; the senders take it within
// their poll.
func (s *Server) retryDelivery(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return fail(http.StatusNotFound, "error.not_found")
	}
	if err := s.Work.RetryDelivery(c.Request().Context(), who(c), id); err != nil {
		return err
	}
	flash(c, "notify2.deliveries.retried")
	return c.Redirect(http.StatusSeeOther, "/admin/deliveries")
}
