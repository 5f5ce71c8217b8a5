package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"selfcheck/app/assessment"
	"selfcheck/app/outbox"
)

// Blobs keeps file content addressed by its SHA-256, so identical content is
// stored once. The database implementation below is the default; a later
// step can put content in object storage behind the same interface.
type Blobs interface {
	// Put stores data under sum unless it is there already.
	Put(ctx context.Context, sum string, data []byte) error
	// Get returns the data stored under sum, or ErrNotFound.
	Get(ctx context.Context, sum string) ([]byte, error)
}

// dbBlobs stores content in the blobs table.
type dbBlobs struct{ db *gorm.DB }

func (b dbBlobs) Put(ctx context.Context, sum string, data []byte) error {
	err := b.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Blob{SHA256: sum, Size: int64(len(data)), Data: data, CreatedAt: time.Now().UTC()}).Error
	return translate(err, "store blob %s", sum)
}

func (b dbBlobs) Get(ctx context.Context, sum string) ([]byte, error) {
	var blob Blob
	if err := b.db.WithContext(ctx).First(&blob, "sha256 = ?", sum).Error; err != nil {
		return nil, translate(err, "blob %s", sum)
	}
	return blob.Data, nil
}

func evidenceOf(e Evidence) assessment.Evidence {
	ev := assessment.Evidence{ID: e.ID, ItemID: e.ItemID, Name: e.FileName, Kind: e.Kind, Size: e.Size,
		SHA256: e.BlobSHA256, UploadedAt: e.UploadedAt, UploadedBy: e.UploadedBy.Name}
	if e.ValidUntil != nil {
		ev.ValidUntil = *e.ValidUntil
	}
	return ev
}

// validUntil is a checked "valid until" date as stored: NULL for none.
func validUntil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// NewEvidence is a checked file to attach to an item.
type NewEvidence struct {
	ItemID string
	Name   string // already cleaned for display
	Kind   string // from the content, by app/evidence
	Data   []byte
	// ValidUntil is the last day the document is valid (YYYY-MM-DD,
	// checked by assessment.ValidUntil), or "".
	ValidUntil string
}

// AddEvidence attaches a file to an item of an editable assessment of
// actor's firm. The content goes to Blobs first (content-addressed, so a
// failed attach leaves at most an unreferenced blob, never a half file),
// then the row and its history entry in one transaction.
func (s *Store) AddEvidence(ctx context.Context, actor *User, id uint, n NewEvidence) (assessment.Evidence, error) {
	if !actor.Role.InFirm() {
		return assessment.Evidence{}, fmt.Errorf("store: add evidence: %w", ErrNotFound)
	}
	// Check access and the item before storing any content.
	if err := s.transact(ctx, func(tx *gorm.DB) error {
		return s.editableItem(tx, actor, id, n.ItemID)
	}); err != nil {
		return assessment.Evidence{}, err
	}
	raw := sha256.Sum256(n.Data)
	sum := hex.EncodeToString(raw[:])
	if err := s.blobs.Put(ctx, sum, n.Data); err != nil {
		return assessment.Evidence{}, err
	}
	now := time.Now().UTC()
	row := Evidence{AssessmentID: id, ItemID: n.ItemID, BlobSHA256: sum, FileName: n.Name, Kind: n.Kind, Size: int64(len(n.Data)), UploadedByID: actor.ID, UploadedAt: now,
		ValidUntil: validUntil(n.ValidUntil)}
	err := s.change(ctx, func(tx *gorm.DB) error {
		a, err := lockEditable(tx, actor, id)
		if err != nil {
			return err
		}
		row.CampaignID = a.CampaignID
		if err := tx.Omit(clause.Associations).Create(&row).Error; err != nil {
			return translate(err, "attach evidence")
		}
		ch := Change{AssessmentID: id, ItemID: n.ItemID, Field: "evidence", NewValue: fmt.Sprintf("%s (%d bytes, sha256 %s)", n.Name, len(n.Data), sum), UserID: actor.ID, At: now}
		if err := tx.Omit(clause.Associations).Create(&ch).Error; err != nil {
			return translate(err, "record evidence change")
		}
		detail := map[string]any{"evidence": row.ID, "file": n.Name, "size": len(n.Data)}
		if err := emit(tx, eventBy(actor, outbox.EvidenceAdded, id, n.ItemID, detail)); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditEvidenceUploaded, fmt.Sprintf("assessment:%d item:%s evidence:%d", id, n.ItemID, row.ID), ch.NewValue))
	})
	if err != nil {
		return assessment.Evidence{}, err
	}
	row.UploadedBy = *actor
	return evidenceOf(row), nil
}

// RemoveEvidence detaches a file from an editable assessment. The row stays,
// marked deleted, so history and earlier reports can still name it.
func (s *Store) RemoveEvidence(ctx context.Context, actor *User, id, evidenceID uint) error {
	if !actor.Role.InFirm() {
		return fmt.Errorf("store: remove evidence: %w", ErrNotFound)
	}
	return s.change(ctx, func(tx *gorm.DB) error {
		if _, err := lockEditable(tx, actor, id); err != nil {
			return err
		}
		var e Evidence
		if err := tx.Where("id = ? AND assessment_id = ? AND deleted_at IS NULL", evidenceID, id).First(&e).Error; err != nil {
			return translate(err, "evidence %d", evidenceID)
		}
		now := time.Now().UTC()
		if err := tx.Model(&e).Update("deleted_at", now).Error; err != nil {
			return translate(err, "remove evidence %d", evidenceID)
		}
		ch := Change{AssessmentID: id, ItemID: e.ItemID, Field: "evidence", OldValue: fmt.Sprintf("%s (%d bytes, sha256 %s)", e.FileName, e.Size, e.BlobSHA256), UserID: actor.ID, At: now}
		if err := tx.Omit(clause.Associations).Create(&ch).Error; err != nil {
			return translate(err, "record evidence change")
		}
		if err := emit(tx, eventBy(actor, outbox.EvidenceRemoved, id, e.ItemID, map[string]any{"evidence": e.ID, "file": e.FileName})); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditEvidenceRemoved, fmt.Sprintf("assessment:%d item:%s evidence:%d", id, e.ItemID, e.ID), ch.OldValue))
	})
}

// SetEvidenceValidUntil changes the "valid until" date of an evidence file
// of an editable assessment of actor's firm (until checked by
// assessment.ValidUntil; "" for none), with its history entry, audit entry
// and event. The assessment's row lock orders it with every other change
// of the assessment; setting the date it already has changes nothing.
func (s *Store) SetEvidenceValidUntil(ctx context.Context, actor *User, id, evidenceID uint, until string) (assessment.Evidence, error) {
	if !actor.Role.InFirm() {
		return assessment.Evidence{}, fmt.Errorf("store: evidence validity: %w", ErrNotFound)
	}
	var e Evidence
	err := s.change(ctx, func(tx *gorm.DB) error {
		if _, err := lockEditable(tx, actor, id); err != nil {
			return err
		}
		e = Evidence{}
		if err := tx.Preload("UploadedBy").Where("id = ? AND assessment_id = ? AND deleted_at IS NULL", evidenceID, id).First(&e).Error; err != nil {
			return translate(err, "evidence %d", evidenceID)
		}
		old := ""
		if e.ValidUntil != nil {
			old = *e.ValidUntil
		}
		if old == until {
			return nil
		}
		e.ValidUntil = validUntil(until)
		if err := tx.Model(&Evidence{}).Where("id = ?", e.ID).Update("valid_until", e.ValidUntil).Error; err != nil {
			return translate(err, "evidence %d validity", evidenceID)
		}
		now := time.Now().UTC()
		ch := Change{AssessmentID: id, ItemID: e.ItemID, Field: "evidence.valid_until", OldValue: old, NewValue: until, UserID: actor.ID, At: now}
		if err := tx.Omit(clause.Associations).Create(&ch).Error; err != nil {
			return translate(err, "record evidence change")
		}
		detail := map[string]any{"evidence": e.ID, "file": e.FileName, "valid_until": until}
		if err := emit(tx, eventBy(actor, outbox.EvidenceValidity, id, e.ItemID, detail)); err != nil {
			return err
		}
		return appendAudit(tx, ctx, auditBy(actor, AuditEvidenceChanged, fmt.Sprintf("assessment:%d item:%s evidence:%d", id, e.ItemID, e.ID),
			fmt.Sprintf("%s valid until %q (was %q)", e.FileName, until, old)))
	})
	if err != nil {
		return assessment.Evidence{}, err
	}
	return evidenceOf(e), nil
}

// EvidenceFile returns an evidence file and its content, if actor may see
// the assessment it belongs to (firm users their firm's, auditors and
// admins as scopeAssessments allows). The audit log records the download
// before the content is returned.
func (s *Store) EvidenceFile(ctx context.Context, actor *User, id, evidenceID uint) (assessment.Evidence, []byte, error) {
	e, data, err := fileOf(s, ctx, actor, id, evidenceID, "evidence", func(e *Evidence) fileMeta {
		return fileMeta{itemID: e.ItemID, id: e.ID, name: e.FileName, size: int64(e.Size), sha: e.BlobSHA256}
	})
	if err != nil {
		return assessment.Evidence{}, nil, err
	}
	return evidenceOf(e), data, nil
}

// fileMeta is what the audit log records of a downloaded file.
type fileMeta struct {
	itemID, name, sha string
	id                uint
	size              int64
}

// fileOf reads file fileID, a row of T (an item's evidence or a plan's
// rectification file), of assessment id, if actor may see the assessment,
// with its content, and records the download in the audit log before the
// content is returned. what names the row in errors and audit targets.
func fileOf[T any](s *Store, ctx context.Context, actor *User, id, fileID uint, what string, meta func(*T) fileMeta) (T, []byte, error) {
	var row T
	var a Assessment
	if err := s.db.WithContext(ctx).Scopes(scopeAssessments(actor)).Select("id", "firm_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return row, nil, translate(err, "assessment %d", id)
	}
	if err := s.db.WithContext(ctx).Preload("UploadedBy").Where("id = ? AND assessment_id = ? AND deleted_at IS NULL", fileID, id).First(&row).Error; err != nil {
		return row, nil, translate(err, "%s %d", strings.ReplaceAll(what, "_", " "), fileID)
	}
	m := meta(&row)
	data, err := s.blobs.Get(ctx, m.sha)
	if errors.Is(err, ErrNotFound) {
		return row, nil, fmt.Errorf("store: content of %s %d is missing: %w", strings.ReplaceAll(what, "_", " "), fileID, err)
	}
	if err != nil {
		return row, nil, err
	}
	ev := auditBy(actor, AuditEvidenceDownloaded, fmt.Sprintf("assessment:%d item:%s %s:%d", id, m.itemID, what, m.id),
		fmt.Sprintf("%s (%d bytes, sha256 %s)", m.name, m.size, m.sha)).inFirm(a.FirmID)
	if err := s.transact(ctx, func(tx *gorm.DB) error { return appendAudit(tx, ctx, ev) }); err != nil {
		return row, nil, err
	}
	return row, data, nil
}

// PackageEvidence passes the content of every evidence file of assessment
// id that actor may see to each, one distinct content (by SHA-256) at a
// time, so a submission package of many large files never holds more than
// one of them. The audit log records the download, with the number of
// files, before any content is passed on.
func (s *Store) PackageEvidence(ctx context.Context, actor *User, id uint, each func(sum string, data []byte) error) error {
	var a Assessment
	if err := s.db.WithContext(ctx).Scopes(scopeAssessments(actor)).Select("id", "firm_id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return translate(err, "assessment %d", id)
	}
	var sums []string
	if err := s.db.WithContext(ctx).Model(&Evidence{}).Distinct("blob_sha256").
		Where("assessment_id = ? AND deleted_at IS NULL", id).Order("blob_sha256").Pluck("blob_sha256", &sums).Error; err != nil {
		return translate(err, "evidence of assessment %d", id)
	}
	ev := auditBy(actor, AuditEvidenceDownloaded, fmt.Sprintf("assessment:%d package", id),
		fmt.Sprintf("submission package: %d evidence files", len(sums))).inFirm(a.FirmID)
	if err := s.transact(ctx, func(tx *gorm.DB) error { return appendAudit(tx, ctx, ev) }); err != nil {
		return err
	}
	for _, sum := range sums {
		data, err := s.blobs.Get(ctx, sum)
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("store: evidence content %s of assessment %d is missing: %w", sum, id, err)
		}
		if err != nil {
			return err
		}
		if err := each(sum, data); err != nil {
			return err
		}
	}
	return nil
}
