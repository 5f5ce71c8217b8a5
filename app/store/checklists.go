package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
)

// CustomChecklist is a checklist file an admin uploaded.
type CustomChecklist struct {
	ID           uint
	ChecklistID  string
	FileName     string
	Version      string
	Content      []byte
	UploadedByID uint
	UploadedBy   User
	UploadedAt   time.Time
}

// CustomChecklists returns every uploaded checklist file, by id.
func (s *Store) CustomChecklists(ctx context.Context) ([]CustomChecklist, error) {
	var out []CustomChecklist
	err := s.db.WithContext(ctx).Preload("UploadedBy").Order("checklist_id").Find(&out).Error
	return out, translate(err, "list uploaded checklists")
}

// CustomChecklistsStamp changes whenever an uploaded checklist is added,
// replaced or removed, so a cached catalog knows when to reload.
func (s *Store) CustomChecklistsStamp(ctx context.Context) (string, error) {
	// Every change adds a row with a new id or removes one (a replacement
	// does both), so count and highest id together change on each.
	var row struct {
		N     int64
		MaxID uint
	}
	err := s.db.WithContext(ctx).Model(&CustomChecklist{}).
		Select("COUNT(*) AS n, COALESCE(MAX(id), 0) AS max_id").Scan(&row).Error
	if err != nil {
		return "", translate(err, "uploaded checklists stamp")
	}
	return fmt.Sprintf("%d/%d", row.N, row.MaxID), nil
}

// SaveCustomChecklist stores an uploaded checklist, replacing an earlier
// upload with the same checklist id. Only admins may.
func (s *Store) SaveCustomChecklist(ctx context.Context, actor *User, c CustomChecklist) error {
	if actor.Role != auth.Admin {
		return fmt.Errorf("store: upload checklist: %w", ErrNotFound)
	}
	c.ID, c.UploadedByID, c.UploadedAt = 0, actor.ID, time.Now().UTC()
	return s.transact(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("checklist_id = ?", c.ChecklistID).Delete(&CustomChecklist{}).Error; err != nil {
			return translate(err, "replace uploaded checklist %s", c.ChecklistID)
		}
		if err := tx.Create(&c).Error; err != nil {
			return translate(err, "save uploaded checklist %s", c.ChecklistID)
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditChecklistUploaded, "checklist:"+c.ChecklistID,
			fmt.Sprintf("%s, version %s, %d bytes", c.FileName, c.Version, len(c.Content))))
	})
}

// DeleteCustomChecklist removes an uploaded checklist. Assessments that use
// it keep their snapshot.
func (s *Store) DeleteCustomChecklist(ctx context.Context, actor *User, checklistID string) error {
	if actor.Role != auth.Admin {
		return fmt.Errorf("store: delete checklist: %w", ErrNotFound)
	}
	if !storable(checklistID) {
		return fmt.Errorf("store: uploaded checklist %q: %w", checklistID, ErrNotFound)
	}
	return s.transact(ctx, func(tx *gorm.DB) error {
		res := tx.Where("checklist_id = ?", checklistID).Delete(&CustomChecklist{})
		if res.Error != nil {
			return translate(res.Error, "delete uploaded checklist %s", checklistID)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("store: uploaded checklist %s: %w", checklistID, ErrNotFound)
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditChecklistDeleted, "checklist:"+checklistID, ""))
	})
}
