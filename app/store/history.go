package store

import (
	"context"
	"sort"
	"time"
)

// Event is one entry of an assessment's timeline: a workflow transition or a
// change of an answer, note, plan or evidence.
type Event struct {
	At       time.Time
	User     string
	ItemID   string // empty for transitions
	Field    string // answer, note, plan.measure, plan.owner, plan.due, plan.status, evidence, or state
	OldValue string
	NewValue string
	Comment  string
}

// Timeline returns what happened to an assessment actor may see, newest first.
func (s *Store) Timeline(ctx context.Context, actor *User, id uint) ([]Event, error) {
	var a Assessment
	db := s.db.WithContext(ctx)
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	var trans []Transition
	if err := db.Preload("User").Where("assessment_id = ?", id).Find(&trans).Error; err != nil {
		return nil, translate(err, "transitions of assessment %d", id)
	}
	var changes []Change
	if err := db.Preload("User").Where("assessment_id = ?", id).Order("id DESC").Limit(5000).Find(&changes).Error; err != nil {
		return nil, translate(err, "changes of assessment %d", id)
	}
	out := make([]Event, 0, len(trans)+len(changes))
	for _, t := range trans {
		out = append(out, Event{At: t.At, User: t.User.Name, Field: "state", OldValue: t.FromState, NewValue: t.ToState, Comment: t.Comment})
	}
	for _, c := range changes {
		out = append(out, Event{At: c.At, User: c.User.Name, ItemID: c.ItemID, Field: c.Field, OldValue: c.OldValue, NewValue: c.NewValue})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}
