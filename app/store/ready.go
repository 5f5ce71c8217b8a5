package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// readinessProbe is the one row CheckWrite updates (migration 15).
type readinessProbe struct {
	ID        uint `gorm:"primaryKey;autoIncrement:false"`
	CheckedAt time.Time
}

// CheckWrite commits a write into the scratch table, to tell a database
// that can take the application's writes from one that only answers: a
// read-only file or a full disk fail here, where Ping succeeds. Instances
// share the row; each check is one short transaction, outside the group
// commit so that a check never waits behind a batch of saves or holds one.
func (s *Store) CheckWrite(ctx context.Context) error {
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id"}},
		DoUpdates: clause.AssignmentColumns([]string{"checked_at"}),
	}).Create(&readinessProbe{ID: 1, CheckedAt: time.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("store: write the readiness probe: %w", err)
	}
	return nil
}
