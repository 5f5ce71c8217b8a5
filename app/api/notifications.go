package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/workflow"
)

// notificationJSON is one of the caller's notifications. Event is the
// event name (submitted, changes_requested, …); Link the page it is about,
// a path of the web app.
type notificationJSON struct {
	ID         int64   `json:"id"`
	Event      string  `json:"event"`
	Actor      string  `json:"actor"`
	Assessment *uint   `json:"assessment"`
	Item       *string `json:"item"`
	Link       string  `json:"link"`
	At         string  `json:"at"`
	Read       bool    `json:"read"`
}

type notificationPage struct {
	Notifications []notificationJSON `json:"notifications"`
	Unread        int64              `json:"unread"`
	// Next is the before= of the following page, null on the last.
	Next *int64 `json:"next"`
}

// listNotifications answers the caller's own notifications, newest first,
// a page at a time (?limit=N, 1 to 100, default 50; ?before=ID), with the
// unread count.
func (a *API) listNotifications(c echo.Context, p access.Principal) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > workflow.MaxNoticePage {
			return invalid("limit", "limit must be a whole number from 1 to %d", workflow.MaxNoticePage)
		}
		limit = n
	}
	var before int64
	if v := c.QueryParam("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return invalid("before", "before must be the id of a notification (a positive whole number)")
		}
		before = n
	}
	ctx := c.Request().Context()
	rows, more, err := a.Work.Notifications(ctx, p, before, limit)
	if err != nil {
		return err
	}
	unread, err := a.Work.UnreadNotifications(ctx, p)
	if err != nil {
		return err
	}
	page := notificationPage{Notifications: []notificationJSON{}, Unread: unread}
	if more {
		next := rows[len(rows)-1].ID
		page.Next = &next
	}
	for _, r := range rows {
		v := notificationJSON{ID: r.ID, Event: r.Event, Actor: r.ActorName, Item: optString(r.ItemID), Link: r.Link, At: timestamp(r.At), Read: r.ReadAt != nil}
		if r.AssessmentID != 0 {
			id := r.AssessmentID
			v.Assessment = &id
		}
		page.Notifications = append(page.Notifications, v)
	}
	return c.JSON(http.StatusOK, page)
}

// readNotification marks one of the caller's notifications read. Another
// user's is a 404, as one that does not exist.
func (a *API) readNotification(c echo.Context, p access.Principal) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return errNotFound
	}
	if _, err := a.Work.MarkNotificationRead(c.Request().Context(), p, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// readAllNotifications marks every notification of the caller read.
func (a *API) readAllNotifications(c echo.Context, p access.Principal) error {
	if err := a.Work.MarkAllNotificationsRead(c.Request().Context(), p); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// preferencesJSON are the caller's e-mail modes by event name: "inapp"
// (none), "email" (at once) or "digest" (one e-mail a day).
type preferencesJSON struct {
	Preferences map[string]string `json:"preferences"`
}

// notificationPreferences answers the caller's mode of every event.
func (a *API) notificationPreferences(c echo.Context, p access.Principal) error {
	modes, err := a.Work.NotificationPrefs(c.Request().Context(), p)
	if err != nil {
		return err
	}
	out := preferencesJSON{Preferences: map[string]string{}}
	for _, m := range modes {
		out.Preferences[m.Event] = string(m.Mode)
	}
	return c.JSON(http.StatusOK, out)
}

// setNotificationPreferences sets the caller's modes of the events given
// (the others keep theirs) and answers them all.
func (a *API) setNotificationPreferences(c echo.Context, p access.Principal) error {
	var req preferencesJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Preferences == nil {
		return invalid("preferences", "preferences must be an object of event name to mode (inapp, email or digest)")
	}
	if err := a.Work.SetNotificationPrefs(c.Request().Context(), p, req.Preferences); err != nil {
		return err
	}
	return a.notificationPreferences(c, p)
}
