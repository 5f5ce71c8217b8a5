package store

import (
	"context"
	"database/sql"
	"fmt"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// What an autosave reads besides the save itself: the item's answer as
// stored (for the fields a form leaves out) and, after the save, the
// progress per theme. Both were a whole AnswerSheet (every answer with its
// note, version and time, through GORM's preloads), a large share of the
// server's time under many saving clients; these read only the columns
// they need, and the checklists of an assessment come from a cache.

// StoredAnswer is the answer to one item of an assessment actor may see,
// as stored; the zero Answer when the item has none yet. An assessment
// actor may not see is ErrNotFound.
func (s *Store) StoredAnswer(ctx context.Context, actor *User, id uint, itemID string) (assessment.Answer, error) {
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	if err := s.visible(db, actor, id); err != nil {
		return assessment.Answer{}, err
	}
	var rows []Answer
	if !storable(itemID) { // no item has such an id: it has no answer
		return assessment.Answer{}, nil
	}
	if err := db.Select("value", "note", "version", "updated_at", "carried", "confirmed").Where("assessment_id = ? AND item_id = ?", id, itemID).
		Limit(1).Find(&rows).Error; err != nil {
		return assessment.Answer{}, translate(err, "answer to %s of assessment %d", itemID, id)
	}
	if len(rows) == 0 {
		return assessment.Answer{}, nil
	}
	return answerOf(rows[0]), nil
}

// ProgressSheet loads the sheet of an assessment actor may see with only
// its checklists and the value of each answer (assessment.ProgressParts):
// what Result and the progress counts need, no notes, plans or evidence.
func (s *Store) ProgressSheet(ctx context.Context, actor *User, id uint) (*assessment.Sheet, error) {
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id", "firm_id", "state", "profile").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, translate(err, "assessment %d", id)
	}
	lists, err := s.checklistsOf(db, a)
	if err != nil {
		return nil, err
	}
	sh := &assessment.Sheet{Parts: assessment.ProgressParts, ID: a.ID, FirmID: a.FirmID, State: assessment.State(a.State), Checklists: lists,
		Answers: make(map[string]assessment.Answer, 128), Plans: map[string]assessment.Plan{}, Evidence: map[string][]assessment.Evidence{}}
	rows, err := db.Model(&Answer{}).Select("item_id", "value").Where("assessment_id = ?", id).Rows()
	if err != nil {
		return nil, translate(err, "answers of assessment %d", id)
	}
	defer rows.Close()
	for rows.Next() {
		var item, value string
		if err := rows.Scan(&item, &value); err != nil {
			return nil, translate(err, "answers of assessment %d", id)
		}
		sh.Answers[item] = assessment.Answer{Value: scoring.Answer(value)}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "answers of assessment %d", id)
	}
	return sh, nil
}

// visible reports ErrNotFound unless actor may see assessment id.
func (s *Store) visible(db *gorm.DB, actor *User, id uint) error {
	var n int64
	if err := db.Model(&Assessment{}).Scopes(scopeAssessments(actor)).Where("assessments.id = ?", id).Count(&n).Error; err != nil {
		return translate(err, "assessment %d", id)
	}
	if n == 0 {
		return fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
	}
	return nil
}

// checklistsOf is the checklists assessment a asks, each cut to its
// profile, in order. a must carry ID and Profile. Callers must not change
// them: they are shared (frozen.go).
func (s *Store) checklistsOf(db *gorm.DB, a Assessment) ([]*checklist.Checklist, error) {
	f, err := s.frozenOf(db, a)
	if err != nil {
		return nil, err
	}
	return f.lists, nil
}

// Progress is the assessment's progress (assessment.Progress) for actor:
// the ids of its answered items, one short column, counted here by theme
// from the cached checklists; the assessment's row is read only when no
// item is answered, to tell that from an assessment out of actor's scope.
// It needs the checklists in the cache and a firm user's scope: other
// cases read the ProgressSheet.
func (s *Store) Progress(ctx context.Context, actor *User, id uint) (assessment.Progress, error) {
	f, ok := s.frozen.get(id)
	if !ok || actor.FirmID == nil || !actor.Role.InFirm() {
		sh, err := s.ProgressSheet(ctx, actor, id)
		if err != nil {
			return assessment.Progress{}, err
		}
		return sh.Progress(), nil
	}
	db := s.db.WithContext(readContext(ctx))
	themeOf := f.themeIndex()
	p := assessment.Progress{Themes: make([]assessment.ThemeProgress, len(f.lists))}
	for i, cl := range f.lists {
		p.Themes[i] = assessment.ThemeProgress{ID: cl.ID, Total: len(cl.Items())}
		p.Total += p.Themes[i].Total
	}
	err := eachRow(db.Raw("SELECT item_id FROM answers WHERE assessment_id = ? AND value <> ''"+
		" AND EXISTS (SELECT 1 FROM assessments WHERE id = ? AND firm_id = ?)", id, id, *actor.FirmID), func(rows *sql.Rows) error {
		var item string
		if err := rows.Scan(&item); err != nil {
			return err
		}
		if i, ok := themeOf[item]; ok {
			p.Themes[i].Answered++
			p.Answered++
		}
		return nil
	})
	if err != nil {
		return assessment.Progress{}, translate(err, "progress of assessment %d", id)
	}
	if p.Answered == 0 {
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM assessments WHERE id = ? AND firm_id = ?", id, *actor.FirmID).Scan(&n).Error; err != nil {
			return assessment.Progress{}, translate(err, "assessment %d", id)
		}
		if n == 0 {
			return assessment.Progress{}, fmt.Errorf("store: assessment %d: %w", id, ErrNotFound)
		}
	}
	return p, nil
}

// themeIndex maps each item id to the index of its checklist in lists.
func (f *frozen) themeIndex() map[string]int {
	f.themeOnce.Do(func() {
		f.themeOf = make(map[string]int, len(f.items))
		for i, cl := range f.lists {
			for _, it := range cl.Items() {
				f.themeOf[it.ID] = i
			}
		}
	})
	return f.themeOf
}
