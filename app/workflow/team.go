package workflow

import (
	"context"

	"selfcheck/app/access"
	"selfcheck/app/auth"
	"selfcheck/app/store"
)

// The read models and inputs of team work: assignments and comments.
type (
	AssignmentInput = store.AssignmentInput
	Assignments     = store.Assignments
	Assignee        = store.Assignee
	Comment         = store.Comment
	OpenItem        = store.OpenItem
)

// ErrCommentFinal refuses to change a comment past its edit window.
var ErrCommentFinal = store.ErrCommentFinal

// SetAssignments gives themes and items of an editable assessment of p's
// firm to its members, all entries or none; only the firm's admin and the
// member who started the assessment may. An item's own assignee wins over
// its theme's; a nil User clears.
func (s *Service) SetAssignments(ctx context.Context, p access.Principal, id uint, in []AssignmentInput) error {
	if err := s.Store.SetAssignments(ctx, actor(p), id, in); err != nil {
		return err
	}
	s.Log.Info("assignments changed", "assessment", id, "user", p.ID, "entries", len(in))
	return nil
}

// Assignments are who answers which theme and item of an assessment p may see.
func (s *Service) Assignments(ctx context.Context, p access.Principal, id uint) (Assignments, error) {
	return s.Store.Assignments(ctx, actor(p), id)
}

// Team is what the fill-in and review pages show of team work on an
// assessment p may see: its assignments, every comment oldest first, and,
// when members is set and p may assign, the members work may be given to.
func (s *Service) Team(ctx context.Context, p access.Principal, id uint, members bool) (Assignments, []Comment, []Account, error) {
	asg, comments, err := s.Store.TeamWork(ctx, actor(p), id)
	if err != nil || !members || !MayAssign(p, asg) {
		return asg, comments, nil, err
	}
	accounts, err := s.Store.Assignable(ctx, actor(p))
	return asg, comments, accounts, err
}

// AssignedTo lists the items of an assessment p may see that are in effect
// assigned to the user userID (the fill-in page's "mine" filter).
func (s *Service) AssignedTo(ctx context.Context, p access.Principal, id, userID uint) ([]string, error) {
	asg, err := s.Store.Assignments(ctx, actor(p), id)
	if err != nil {
		return nil, err
	}
	return asg.Mine(userID), nil
}

// MyOpenItems lists the items assigned to p, across the firm's editable
// assessments, that are unanswered or a gap with an incomplete plan.
func (s *Service) MyOpenItems(ctx context.Context, p access.Principal) ([]OpenItem, error) {
	return s.Store.MyOpenItems(ctx, actor(p))
}

// AddComment adds a comment to an item's thread of an assessment p may see,
// in any state; "@name" or "@email" mentions a participant.
func (s *Service) AddComment(ctx context.Context, p access.Principal, id uint, itemID, body string) (Comment, error) {
	return s.Store.AddComment(ctx, actor(p), id, itemID, body)
}

// Comments is the thread of one item (itemID "": of every item), oldest first.
func (s *Service) Comments(ctx context.Context, p access.Principal, id uint, itemID string) ([]Comment, error) {
	return s.Store.Comments(ctx, actor(p), id, itemID)
}

// CommentedItems counts the comments of each commented item of an
// assessment p may see (the "commented" filters).
func (s *Service) CommentedItems(ctx context.Context, p access.Principal, id uint) (map[string]int, error) {
	return s.Store.CommentCounts(ctx, actor(p), id)
}

// EditComment changes p's own comment within its edit window.
func (s *Service) EditComment(ctx context.Context, p access.Principal, id, commentID uint, body string) (Comment, error) {
	return s.Store.EditComment(ctx, actor(p), id, commentID, body, s.Now())
}

// DeleteComment removes p's own comment within its edit window.
func (s *Service) DeleteComment(ctx context.Context, p access.Principal, id, commentID uint) error {
	return s.Store.DeleteComment(ctx, actor(p), id, commentID, s.Now())
}

// MayAssign reports whether p may change who answers what in an
// assessment with the assignments asg: the firm's admin and the member
// who started it (SetAssignments enforces it; pages ask to offer the form).
func MayAssign(p access.Principal, asg Assignments) bool {
	return p.Role == auth.FirmAdmin || p.Role == auth.FirmMember && p.ID == asg.StartedBy
}
