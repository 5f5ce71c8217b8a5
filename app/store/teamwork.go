package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// TeamWork is Assignments and Comments(id, "") read together for the
// fill-in page, which shows both on every load: the assessment, its
// assignments and their assignees in one query, the comments and their
// authors in a second, in plain SQL scanned into variables. As GORM
// queries with their preloads they were five to seven statements filling
// models by reflection, each stepped under the request's cancellation (see
// readContext). Assignments and Comments stay the loaders of every other
// caller; TestTeamWorkMatches keeps them equal.
func (s *Store) TeamWork(ctx context.Context, actor *User, id uint) (Assignments, []Comment, error) {
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	out := Assignments{Themes: map[string]Assignee{}, Items: map[string]Assignee{}, Of: map[string]Assignee{}}
	var a Assessment
	found := false
	err := eachRow(db.Table("assessments").Scopes(scopeAssessments(actor)).
		Select("assessments.id, assessments.profile, assessments.created_by_id, "+
			"assignments.theme, assignments.item_id, assignments.user_id, users.name, users.email").
		Joins("LEFT JOIN assignments ON assignments.assessment_id = assessments.id").
		Joins("LEFT JOIN users ON users.id = assignments.user_id").
		Where("assessments.id = ?", id),
		func(rows *sql.Rows) error {
			var (
				theme, item, name, email sql.NullString
				user                     sql.NullInt64
			)
			if err := rows.Scan(&a.ID, &a.Profile, &a.CreatedByID, &theme, &item, &user, &name, &email); err != nil {
				return err
			}
			found = true
			if user.Valid {
				out.add(theme.String, item.String, Assignee{UserID: uint(user.Int64), Email: email.String, Name: name.String})
			}
			return nil
		})
	if err != nil {
		return out, nil, translate(err, "assignments of assessment %d", id)
	}
	if !found {
		return out, nil, translate(gorm.ErrRecordNotFound, "assessment %d", id)
	}
	out.StartedBy = a.CreatedByID
	if err := s.resolveAssignments(db, a, &out); err != nil {
		return out, nil, err
	}

	var comments []Comment
	err = eachRow(db.Raw("SELECT comments.id, comments.item_id, comments.user_id, comments.body, comments.mentions, comments.created_at, comments.edited_at, "+
		"users.id, users.name, users.email, users.role "+
		"FROM comments LEFT JOIN users ON users.id = comments.user_id "+
		"WHERE comments.assessment_id = ? AND comments.deleted_at IS NULL ORDER BY comments.id", id),
		func(rows *sql.Rows) error {
			c := Comment{AssessmentID: id}
			var (
				uid                         sql.NullInt64
				mentions, name, email, role sql.NullString
			)
			if err := rows.Scan(&c.ID, &c.ItemID, &c.UserID, &c.Body, &mentions, &c.CreatedAt, &c.EditedAt,
				&uid, &name, &email, &role); err != nil {
				return err
			}
			c.Mentions = mentions.String
			if uid.Valid {
				c.User = User{ID: uint(uid.Int64), Name: name.String, Email: email.String, Role: auth.Role(role.String)}
			}
			comments = append(comments, c)
			return nil
		})
	if err != nil {
		return out, nil, translate(err, "comments of assessment %d", id)
	}
	return out, comments, nil
}
