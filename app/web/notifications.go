package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/workflow"
)

type notificationsPage struct {
	Notices []workflow.Notice
	Next    int64 // the before= of the older page; 0: none
}

// notifications lists the user's own notifications, newest first, a page
// at a time (?before=ID).
func (s *Server) notifications(c echo.Context) error {
	var before int64
	if v := c.QueryParam("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return fail(http.StatusNotFound, "error.not_found")
		}
		before = n
	}
	rows, more, err := s.Work.Notifications(c.Request().Context(), who(c), before, notificationsPerPage)
	if err != nil {
		return err
	}
	page := notificationsPage{Notices: rows}
	if more {
		page.Next = rows[len(rows)-1].ID
	}
	return s.render(c, http.StatusOK, "notifications", s.T(c, "notify.title"), page)
}

// notificationsPerPage is how many notifications a page shows.
const notificationsPerPage = 50

// openNotification marks a notification read and goes to the page it is
// about; with back=list, back to the list instead (the "mark read" button).
// Another user's notification is a 404.
func (s *Server) openNotification(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return fail(http.StatusNotFound, "error.not_found")
	}
	link, err := s.Work.MarkNotificationRead(c.Request().Context(), who(c), id)
	if err != nil {
		return err
	}
	// The link is a path the store made; refuse anything else rather than
	// redirect off the site.
	if c.FormValue("back") == "list" || !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
		link = "/notifications"
	}
	return c.Redirect(http.StatusSeeOther, link)
}

// readAllNotifications marks every notification of the user read.
func (s *Server) readAllNotifications(c echo.Context) error {
	if err := s.Work.MarkAllNotificationsRead(c.Request().Context(), who(c)); err != nil {
		return err
	}
	flash(c, "notify.marked_all")
	return c.Redirect(http.StatusSeeOther, "/notifications")
}
