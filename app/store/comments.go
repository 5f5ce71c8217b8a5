package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/fault"
	"selfcheck/app/outbox"
)

// Comment is one message in the thread of an item of an assessment.
// Mentions holds the ids of the participants it names, as JSON. A deleted
// comment keeps its row (DeletedAt) and its history entries.
type Comment struct {
	ID           uint
	AssessmentID uint
	ItemID       string
	UserID       uint
	User         User
	Body         string
	Mentions     string
	CreatedAt    time.Time
	EditedAt     *time.Time
	DeletedAt    *time.Time
}

// MentionIDs are the ids of the participants the comment names.
func (c Comment) MentionIDs() []uint {
	var ids []uint
	_ = json.Unmarshal([]byte(c.Mentions), &ids) // written by this package only
	return ids
}

// ErrCommentFinal refuses to edit or delete a comment older than
// assessment.CommentEditWindow: it is part of the record.
var ErrCommentFinal = errors.New("store: the comment can no longer be changed")

// The history's field and the audit log's actions of comments.
const (
	fieldComment        = "comment"
	AuditCommentAdded   = "comment_added"
	AuditCommentEdited  = "comment_edited"
	AuditCommentDeleted = "comment_deleted"
)

// commentable finds an assessment actor may see (any state: a comment is
// a discussion, not an answer) and checks that it asks itemID.
func (s *Store) commentable(tx *gorm.DB, actor *User, id uint, itemID string) (Assessment, error) {
	var a Assessment
	if err := tx.Scopes(scopeAssessments(actor)).Select("id", "firm_id", "campaign_id", "profile").
		First(&a, "assessments.id = ?", id).Error; err != nil {
		return a, translate(err, "assessment %d", id)
	}
	if itemID == "" {
		return a, nil
	}
	items, err := s.itemIDs(tx, a)
	if err != nil {
		return a, err
	}
	if !items[itemID] {
		return a, fmt.Errorf("%w: %q", ErrUnknownItem, itemID)
	}
	return a, nil
}

// participants are the people of an assessment's threads: the firm's
// active users and the auditors of its campaign.
func participants(tx *gorm.DB, a Assessment) ([]User, error) {
	var us []User
	var q *gorm.DB
	if a.CampaignID != nil {
		q = tx.Select("id", "name", "email", "role").Where("disabled_at IS NULL AND (firm_id = ? OR (role = ? AND id IN (?)))", a.FirmID, auth.Auditor,
			tx.Session(&gorm.Session{NewDB: true}).Table("campaign_auditors").Select("user_id").Where("campaign_id = ?", *a.CampaignID))
	} else {
		q = tx.Select("id", "name", "email", "role").Where("disabled_at IS NULL AND firm_id = ?", a.FirmID)
	}
	err := q.Order("id").Find(&us).Error
	return us, translate(err, "participants of assessment %d", a.ID)
}

// mentions are the participants body names with "@" and their name or email.
func mentions(body string, people []User) []uint {
	lower := strings.ToLower(body)
	ids := []uint{}
	for _, u := range people {
		if (u.Name != "" && strings.Contains(body, "@"+u.Name)) || strings.Contains(lower, "@"+strings.ToLower(u.Email)) {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// AddComment adds a comment to the thread of an item of an assessment actor
// may see, in any state: its firm's users and its campaign's auditors (and
// admins) talk. It records the comment in the history and the audit log
// and raises a Commented event, and a Mentioned event for each participant
// the body names.
func (s *Store) AddComment(ctx context.Context, actor *User, id uint, itemID, body string) (Comment, error) {
	body = assessment.NormalizeComment(body)
	if err := assessment.ValidateComment(body); err != nil {
		return Comment{}, err
	}
	var c Comment
	err := s.change(ctx, func(tx *gorm.DB) error {
		a, err := s.commentable(tx, actor, id, itemID)
		if err != nil {
			return err
		}
		people, err := participants(tx, a)
		if err != nil {
			return err
		}
		ids := mentions(body, people)
		m, _ := json.Marshal(ids)
		now := time.Now().UTC()
		c = Comment{AssessmentID: id, ItemID: itemID, UserID: actor.ID, Body: body, Mentions: string(m), CreatedAt: now}
		if err := tx.Omit(clause.Associations).Create(&c).Error; err != nil {
			return translate(err, "add comment")
		}
		c.User = *actor
		if err := recordChanges(tx, []Change{{AssessmentID: id, ItemID: itemID, Field: fieldComment, NewValue: body, UserID: actor.ID, At: now}}); err != nil {
			return translate(err, "record comment")
		}
		if err := appendAudit(tx, ctx, auditBy(actor, AuditCommentAdded, fmt.Sprintf("assessment:%d item:%s comment:%d", id, itemID, c.ID), "").inFirm(a.FirmID)); err != nil {
			return err
		}
		if err := emit(tx, eventBy(actor, outbox.Commented, id, itemID, map[string]any{"comment": c.ID})); err != nil {
			return err
		}
		for _, uid := range ids {
			if err := emit(tx, eventBy(actor, outbox.Mentioned, id, itemID, map[string]any{"comment": c.ID, "user": uid})); err != nil {
				return err
			}
		}
		return nil
	})
	return c, err
}

// Comments lists the comments of an assessment actor may see, oldest
// first: of one item, or of all when itemID is "". Deleted ones are left out.
func (s *Store) Comments(ctx context.Context, actor *User, id uint, itemID string) ([]Comment, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.commentable(db, actor, id, itemID); err != nil {
		return nil, err
	}
	q := db.Preload("User", func(db *gorm.DB) *gorm.DB { return db.Select("id", "name", "email", "role") }).
		Where("assessment_id = ? AND deleted_at IS NULL", id)
	if itemID != "" {
		q = q.Where("item_id = ?", itemID)
	}
	var out []Comment
	err := q.Order("id").Find(&out).Error
	return out, translate(err, "comments of assessment %d", id)
}

// CommentCounts counts the comments of each item of an assessment actor may
// see; items without comments are absent (the "commented" filter).
func (s *Store) CommentCounts(ctx context.Context, actor *User, id uint) (map[string]int, error) {
	db := s.db.WithContext(ctx)
	if _, err := s.commentable(db, actor, id, ""); err != nil {
		return nil, err
	}
	var rows []struct {
		ItemID string
		N      int
	}
	if err := db.Raw("SELECT item_id, COUNT(*) AS n FROM comments WHERE assessment_id = ? AND deleted_at IS NULL GROUP BY item_id", id).
		Scan(&rows).Error; err != nil {
		return nil, translate(err, "comment counts of assessment %d", id)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.ItemID] = r.N
	}
	return out, nil
}

// EditComment replaces the body of actor's own comment while it is young
// (assessment.CommentEditWindow) at now; later ErrCommentFinal. Another
// person's comment is fault.ErrForbidden.
func (s *Store) EditComment(ctx context.Context, actor *User, id, commentID uint, body string, now time.Time) (Comment, error) {
	body = assessment.NormalizeComment(body)
	if err := assessment.ValidateComment(body); err != nil {
		return Comment{}, err
	}
	var c Comment
	err := s.change(ctx, func(tx *gorm.DB) error {
		var a Assessment
		var err error
		if c, a, err = s.ownComment(tx, actor, id, commentID, now); err != nil {
			return err
		}
		if c.Body == body {
			return nil
		}
		now := now.UTC()
		if err := tx.Model(&Comment{}).Where("id = ?", c.ID).Updates(map[string]any{"body": body, "edited_at": now}).Error; err != nil {
			return translate(err, "edit comment %d", c.ID)
		}
		if err := recordChanges(tx, []Change{{AssessmentID: id, ItemID: c.ItemID, Field: fieldComment, OldValue: c.Body, NewValue: body, UserID: actor.ID, At: now}}); err != nil {
			return translate(err, "record comment")
		}
		c.Body, c.EditedAt = body, &now
		return appendAudit(tx, ctx, auditBy(actor, AuditCommentEdited, fmt.Sprintf("assessment:%d item:%s comment:%d", id, c.ItemID, c.ID), "").inFirm(a.FirmID))
	})
	return c, err
}

// DeleteComment removes actor's own young comment from its thread, as
// EditComment allows; the history keeps that it was written and removed.
func (s *Store) DeleteComment(ctx context.Context, actor *User, id, commentID uint, now time.Time) error {
	return s.change(ctx, func(tx *gorm.DB) error {
		c, a, err := s.ownComment(tx, actor, id, commentID, now)
		if err != nil {
			return err
		}
		now := now.UTC()
		if err := tx.Model(&Comment{}).Where("id = ?", c.ID).Update("deleted_at", now).Error; err != nil {
			return translate(err, "delete comment %d", c.ID)
		}
		if err := recordChanges(tx, []Change{{AssessmentID: id, ItemID: c.ItemID, Field: fieldComment, OldValue: c.Body, UserID: actor.ID, At: now}}); err != nil {
			return translate(err, "record comment")
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditCommentDeleted, fmt.Sprintf("assessment:%d item:%s comment:%d", id, c.ItemID, c.ID), "").inFirm(a.FirmID))
	})
}

// ownComment finds a live comment of an assessment actor may see and checks
// that actor wrote it and may still change it at now.
func (s *Store) ownComment(tx *gorm.DB, actor *User, id, commentID uint, now time.Time) (Comment, Assessment, error) {
	a, err := s.commentable(tx, actor, id, "")
	if err != nil {
		return Comment{}, a, err
	}
	var c Comment
	if err := tx.Omit(clause.Associations).Where("id = ? AND assessment_id = ? AND deleted_at IS NULL", commentID, id).First(&c).Error; err != nil {
		return c, a, translate(err, "comment %d", commentID)
	}
	if c.UserID != actor.ID {
		return c, a, fault.Forbidden("comment %d is user %d's", c.ID, c.UserID)
	}
	if assessment.CommentFinal(c.CreatedAt, now) {
		return c, a, fmt.Errorf("comment %d: %w", c.ID, ErrCommentFinal)
	}
	c.User = *actor
	return c, a, nil
}
