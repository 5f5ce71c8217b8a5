package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// comment adds a comment to an item's thread from the fill-in or the
// review page: the pressed button names the item, its textarea the text.
func (s *Server) comment(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	item := c.FormValue("item")
	if item == "" {
		return failBecause(nil, http.StatusNotFound, "error.unknown_item")
	}
	p := who(c)
	if _, err := s.Work.AddComment(c.Request().Context(), p, id, item, c.FormValue("thread."+item)); err != nil {
		return teamError(err)
	}
	flash(c, "team.commented_flash")
	return c.Redirect(http.StatusSeeOther, whereBack(c, p, id, item))
}

// editComment changes the viewer's own comment within five minutes: the
// pressed button names the comment, its textarea the new text.
func (s *Server) editComment(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseUint(c.FormValue("comment"), 10, 32)
	if err != nil || cid == 0 {
		return failBecause(err, http.StatusNotFound, "error.not_found")
	}
	p := who(c)
	cm, err := s.Work.EditComment(c.Request().Context(), p, id, uint(cid), c.FormValue("edit."+c.FormValue("comment")))
	if err != nil {
		return teamError(err)
	}
	flash(c, "team.comment.edited_flash")
	return c.Redirect(http.StatusSeeOther, whereBack(c, p, id, cm.ItemID))
}

// deleteComment removes the viewer's own comment within five minutes.
func (s *Server) deleteComment(c echo.Context) error {
	id, err := assessmentID(c)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseUint(c.FormValue("comment"), 10, 32)
	if err != nil || cid == 0 {
		return failBecause(err, http.StatusNotFound, "error.not_found")
	}
	p := who(c)
	if err := s.Work.DeleteComment(c.Request().Context(), p, id, uint(cid)); err != nil {
		return teamError(err)
	}
	return c.Redirect(http.StatusSeeOther, whereBack(c, p, id, c.FormValue("item")))
}
