package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"selfcheck/app/access"
	"selfcheck/app/workflow"
)

// assigneeView is who answers an item.
type assigneeView struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

type assignmentEntry struct {
	Theme string  `json:"theme"`
	Item  string  `json:"item"`
	User  *string `json:"user"`
}

type assignmentsRequest struct {
	Assignments []assignmentEntry `json:"assignments"`
}

type assignmentsView struct {
	Themes map[string]*assigneeView `json:"themes"`
	Items  map[string]*assigneeView `json:"items"`
}

// setAssignments gives themes and items of an editable assessment to
// members of the firm, all entries or none, and answers the assignments in
// effect: every item with its assignee (null: nobody).
func (a *API) setAssignments(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req assignmentsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Assignments == nil {
		return invalid("assignments", "assignments must be a list of {theme or item, user}")
	}
	in := make([]workflow.AssignmentInput, len(req.Assignments))
	for i, e := range req.Assignments {
		in[i] = workflow.AssignmentInput{Theme: e.Theme, Item: e.Item, User: e.User}
	}
	ctx := c.Request().Context()
	if err := a.Work.SetAssignments(ctx, p, id, in); err != nil {
		return err
	}
	asg, err := a.Work.Assignments(ctx, p, id)
	if err != nil {
		return err
	}
	out := assignmentsView{Themes: map[string]*assigneeView{}, Items: map[string]*assigneeView{}}
	for theme, who := range asg.Themes {
		out.Themes[theme] = &assigneeView{Email: who.Email, Name: who.Name}
	}
	for item, who := range asg.Of {
		out.Items[item] = &assigneeView{Email: who.Email, Name: who.Name}
	}
	return c.JSON(http.StatusOK, out)
}

// withAssignees sets each item's assignee in v.
func withAssignees(v *assessmentView, asg workflow.Assignments) {
	for i := range v.Items {
		if who, ok := asg.Of[v.Items[i].ID]; ok {
			v.Items[i].Assignee = &assigneeView{Email: who.Email, Name: who.Name}
		}
	}
}

type commentView struct {
	ID       uint    `json:"id"`
	Item     string  `json:"item"`
	Author   string  `json:"author"`
	Role     string  `json:"role"`
	Body     string  `json:"body"`
	Mentions []uint  `json:"mentions"`
	At       string  `json:"at"`
	EditedAt *string `json:"edited_at"`
}

func commentOf(cm workflow.Comment) commentView {
	v := commentView{ID: cm.ID, Item: cm.ItemID, Author: cm.User.Name, Role: string(cm.User.Role), Body: cm.Body,
		Mentions: cm.MentionIDs(), At: timestamp(cm.CreatedAt), EditedAt: optTimestamp(cm.EditedAt)}
	if v.Mentions == nil {
		v.Mentions = []uint{}
	}
	return v
}

type commentRequest struct {
	Body string `json:"body"`
}

// listComments answers an item's thread, oldest first.
func (a *API) listComments(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	list, err := a.Work.Comments(c.Request().Context(), p, id, c.Param("item"))
	if err != nil {
		return err
	}
	out := make([]commentView, len(list))
	for i, cm := range list {
		out[i] = commentOf(cm)
	}
	return c.JSON(http.StatusOK, map[string]any{"comments": out})
}

// addComment adds a comment to an item's thread, in any state of the
// assessment; the firm's users and the campaign's auditors may.
func (a *API) addComment(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := a.Work.AddComment(c.Request().Context(), p, id, c.Param("item"), req.Body)
	if err != nil {
		return err
	}
	cm.User.Role = p.Role
	return c.JSON(http.StatusCreated, commentOf(cm))
}

// editComment changes the caller's own comment within five minutes of
// writing it; later it is part of the record (409).
func (a *API) editComment(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := idParam(c, "commentID")
	if err != nil {
		return err
	}
	var req commentRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cm, err := a.Work.EditComment(c.Request().Context(), p, id, cid, req.Body)
	if err != nil {
		return err
	}
	cm.User.Role = p.Role
	return c.JSON(http.StatusOK, commentOf(cm))
}

// deleteComment removes the caller's own comment within five minutes.
func (a *API) deleteComment(c echo.Context, p access.Principal) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	cid, err := idParam(c, "commentID")
	if err != nil {
		return err
	}
	if err := a.Work.DeleteComment(c.Request().Context(), p, id, cid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
