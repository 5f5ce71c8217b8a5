package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/scoring"
	"selfcheck/app/workflow"
)

// activityJSON is one entry of an assessment's activity feed.
type activityJSON struct {
	ID     int64          `json:"id"`
	Kind   string         `json:"kind"`
	Actor  string         `json:"actor"`
	Item   *string        `json:"item"`
	Detail map[string]any `json:"detail"`
	At     string         `json:"at"`
}

type activityPage struct {
	Activity []activityJSON `json:"activity"`
	// Next is the before= of the following page, null on the last.
	Next *int64 `json:"next"`
}

// listActivity answers an assessment's activity feed, newest first, a page
// at a time: ?limit=N (1 to 200, default 50) entries with an id below
// ?before=ID. Another firm's assessment is a 404, as for the assessment.
func (a *API) listActivity(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > workflow.MaxActivityPage {
			return invalid("limit", "limit must be a whole number from 1 to %d", workflow.MaxActivityPage)
		}
		limit = n
	}
	var before int64
	if v := c.QueryParam("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return invalid("before", "before must be the id of an activity (a positive whole number)")
		}
		before = n
	}
	rows, more, err := a.Work.Activity(c.Request().Context(), p, id, before, limit)
	if err != nil {
		return err
	}
	page := activityPage{Activity: []activityJSON{}}
	if more {
		next := rows[len(rows)-1].ID
		page.Next = &next
	}
	for _, r := range rows {
		page.Activity = append(page.Activity, activityView(r))
	}
	return c.JSON(http.StatusOK, page)
}

func activityView(r workflow.Activity) activityJSON {
	v := activityJSON{ID: r.ID, Kind: string(r.Kind), Actor: r.ActorName, Item: optString(r.ItemID), Detail: map[string]any{}, At: timestamp(r.At)}
	if r.Detail != "" {
		// Written by the store from its own maps: an entry that does not
		// decode keeps an empty detail rather than failing the page.
		_ = json.Unmarshal([]byte(r.Detail), &v.Detail)
	}
	if s, ok := v.Detail["answer"].(string); ok {
		if name, ok := responses[scoring.Answer(s)]; ok {
			v.Detail["answer"] = name
		}
	}
	return v
}
