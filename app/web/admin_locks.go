package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"selfcheck/app/workflow"
)

// lockRow is a lock of the login throttle as the page shows it.
type lockRow struct {
	workflow.LoginLock
	KindLabel string
}

type locksPage struct {
	Locks []lockRow
}

// adminLocks lists the login throttle's locks in force, each with a button
// that lifts it.
func (s *Server) adminLocks(c echo.Context) error {
	locks, err := s.Work.LoginLocks(c.Request().Context(), who(c))
	if err != nil {
		return err
	}
	data := locksPage{}
	for _, l := range locks {
		data.Locks = append(data.Locks, lockRow{LoginLock: l, KindLabel: s.T(c, "locks.kind."+l.Kind)})
	}
	return s.render(c, http.StatusOK, "admin_locks", s.T(c, "locks.title"), data)
}

// clearLock lifts one lock; one that ended meanwhile is no error, the list
// shows what remains.
func (s *Server) clearLock(c echo.Context) error {
	kind := c.FormValue("kind")
	switch kind {
	case workflow.LockPair, workflow.LockAccount, workflow.LockToken:
	default:
		return fail(http.StatusBadRequest, "locks.error.kind")
	}
	_, err := s.Work.ClearLoginLock(c.Request().Context(), who(c), kind,
		strings.TrimSpace(c.FormValue("account")), strings.TrimSpace(c.FormValue("address")))
	if err != nil {
		return err
	}
	flash(c, "locks.cleared")
	return c.Redirect(http.StatusSeeOther, "/admin/locks")
}
