package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one versioned schema change, applied in its own transaction.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations is the ordered schema history. Never edit an applied entry:
// add a new one.
var migrations = []migration{
	{1, "firms, users, sessions, assessments, answers", migrateV1},
	{2, "firm profiles, frozen into assessments", migrateV2},
	{3, "checklists uploaded by admins", migrateV3},
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

// Migrate applies the migrations the database has not seen yet.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if err := db.Migrator().AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var done []int
	if err := db.Model(&schemaMigration{}).Pluck("version", &done).Error; err != nil {
		return fmt.Errorf("store: read applied migrations: %w", err)
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
		}
		s.log.Info("applied migration", "version", m.version, "name", m.name)
	}
	return nil
}

// migrateV1 creates the first schema. Its structs are frozen copies of the
// models as they stood at version 1: when a model gains a field, a later
// migration adds the column, and this one keeps creating what v1 had.
func migrateV1(tx *gorm.DB) error {
	type firm struct {
		ID         uint   `gorm:"primaryKey"`
		Name       string `gorm:"not null"`
		CreditCode string `gorm:"not null;uniqueIndex"`
		CreatedAt  time.Time
	}
	type user struct {
		ID           uint   `gorm:"primaryKey"`
		Email        string `gorm:"not null;uniqueIndex"`
		Name         string `gorm:"not null"`
		PasswordHash string `gorm:"not null"`
		Role         string `gorm:"not null"`
		FirmID       *uint  `gorm:"index"`
		Firm         *firm  `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt    time.Time
	}
	type session struct {
		ID         uint   `gorm:"primaryKey"`
		TokenHash  string `gorm:"not null;uniqueIndex"`
		UserID     uint   `gorm:"not null;index"`
		User       user   `gorm:"constraint:OnDelete:CASCADE"`
		CreatedAt  time.Time
		LastSeenAt time.Time
		ExpiresAt  time.Time `gorm:"index"`
	}
	type assessment struct {
		ID            uint   `gorm:"primaryKey"`
		FirmID        uint   `gorm:"not null;index"`
		Firm          firm   `gorm:"constraint:OnDelete:RESTRICT"`
		State         string `gorm:"not null"`
		CreatedByID   uint   `gorm:"not null"`
		CreatedBy     user   `gorm:"constraint:OnDelete:RESTRICT"`
		CreatedAt     time.Time
		UpdatedAt     time.Time
		SubmittedAt   *time.Time
		SubmittedByID *uint
		SubmittedBy   *user `gorm:"constraint:OnDelete:RESTRICT"`
	}
	type assessmentTheme struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;uniqueIndex:idx_theme_per_assessment"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		Position     int        `gorm:"not null"`
		ChecklistID  string     `gorm:"not null;uniqueIndex:idx_theme_per_assessment"`
		Version      string     `gorm:"not null"`
		Snapshot     []byte     `gorm:"not null"`
	}
	type answer struct {
		ID           uint       `gorm:"primaryKey"`
		AssessmentID uint       `gorm:"not null;uniqueIndex:idx_answer_per_item"`
		Assessment   assessment `gorm:"constraint:OnDelete:CASCADE"`
		ItemID       string     `gorm:"not null;uniqueIndex:idx_answer_per_item"`
		Value        string     `gorm:"not null"`
		Note         string     `gorm:"not null"`
		UpdatedByID  uint       `gorm:"not null"`
		UpdatedBy    user       `gorm:"constraint:OnDelete:RESTRICT"`
		UpdatedAt    time.Time
	}
	return tx.Migrator().CreateTable(&firm{}, &user{}, &session{}, &assessment{}, &assessmentTheme{}, &answer{})
}

// migrateV2 adds the firm's profile (the tags of what it runs, JSON) and the
// copy of it an assessment freezes when it starts.
func migrateV2(tx *gorm.DB) error {
	type firm struct {
		Profile string `gorm:"not null;default:'[]'"`
	}
	type assessment struct {
		Profile string `gorm:"not null;default:'[]'"`
	}
	m := tx.Migrator()
	if err := m.AddColumn(&firm{}, "Profile"); err != nil {
		return err
	}
	return m.AddColumn(&assessment{}, "Profile")
}

// migrateV3 keeps checklist files that admins upload, so every instance
// offers the same catalog without a rebuild.
func migrateV3(tx *gorm.DB) error {
	type user struct {
		ID uint `gorm:"primaryKey"`
	}
	type customChecklist struct {
		ID           uint   `gorm:"primaryKey"`
		ChecklistID  string `gorm:"not null;uniqueIndex"`
		FileName     string `gorm:"not null"`
		Version      string `gorm:"not null"`
		Content      []byte `gorm:"not null"`
		UploadedByID uint   `gorm:"not null"`
		UploadedBy   user   `gorm:"constraint:OnDelete:RESTRICT"`
		UploadedAt   time.Time
	}
	return tx.Migrator().CreateTable(&customChecklist{})
}
