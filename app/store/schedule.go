package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/notify"
	"selfcheck/app/outbox"
)

// What the scheduler of app/notify reads, and the marks that make each of
// its events go once.

// DeadlineTargets are the firms of campaigns whose deadline is on or after
// since that have not submitted (notify.ScheduleStore): no assessment in
// the campaign yet, a draft, or one returned for changes.
func (s *Store) DeadlineTargets(ctx context.Context, since string) ([]notify.DeadlineTarget, error) {
	var out []notify.DeadlineTarget
	err := s.db.WithContext(ctx).Table("campaigns c").
		Select("c.id AS campaign_id, cf.firm_id, COALESCE(a.id, 0) AS assessment_id, c.deadline, c.reminder_days AS days").
		Joins("JOIN campaign_firms cf ON cf.campaign_id = c.id").
		Joins("LEFT JOIN assessments a ON a.campaign_id = c.id AND a.firm_id = cf.firm_id").
		Where("c.deadline <> '' AND c.deadline >= ?", since).
		Where("a.id IS NULL OR a.state IN ?", []string{string(assessment.Draft), string(assessment.ChangesRequested)}).
		Order("c.id, cf.firm_id").Scan(&out).Error
	return out, translate(err, "deadline targets")
}

// PlanTargets are the unfinished plans due from since to until
// (notify.ScheduleStore), each with the account its owner names: an
// enabled user of the firm whose e-mail or name the owner field holds.
func (s *Store) PlanTargets(ctx context.Context, since, until string) ([]notify.PlanTarget, error) {
	var out []notify.PlanTarget
	err := s.db.WithContext(ctx).Table("plans p").
		Select("p.id, p.assessment_id, p.item_id, p.due, COALESCE((SELECT MIN(u.id) FROM users u WHERE u.firm_id = a.firm_id AND u.disabled_at IS NULL"+
			" AND p.owner <> '' AND (u.email = p.owner OR u.name = p.owner)), 0) AS owner_id").
		Joins("JOIN assessments a ON a.id = p.assessment_id").
		Where("p.status NOT IN ? AND p.due <> '' AND p.due >= ? AND p.due <= ?", []string{string(assessment.PlanDone), string(assessment.PlanVerified)}, since, until).
		Order("p.id").Scan(&out).Error
	return out, translate(err, "plan targets")
}

// EvidenceTargets are the evidence files, not removed, valid until a day
// from since to until (notify.ScheduleStore), by the partial index of
// dated files.
func (s *Store) EvidenceTargets(ctx context.Context, since, until string) ([]notify.EvidenceTarget, error) {
	var out []notify.EvidenceTarget
	err := s.db.WithContext(ctx).Model(&Evidence{}).
		Select("id, assessment_id, item_id, file_name, valid_until").
		Where("valid_until IS NOT NULL AND deleted_at IS NULL AND valid_until >= ? AND valid_until <= ?", since, until).
		Order("id").Scan(&out).Error
	return out, translate(err, "evidence targets")
}

// EmitScheduled records e in the outbox unless key was marked before, in
// one transaction with the mark, and reports whether it did
// (notify.ScheduleStore). The mark's primary key decides between two
// instances at once.
func (s *Store) EmitScheduled(ctx context.Context, key string, e outbox.Event) (bool, error) {
	fresh := false
	err := s.change(ctx, func(tx *gorm.DB) error {
		var err error
		if fresh, err = mark(tx, key, time.Now()); err != nil || !fresh {
			return err
		}
		e.At = time.Now().UTC()
		return insertEvents(tx, []outbox.Event{e})
	})
	return fresh, err
}

// ScheduleMarks lists the marks of what the scheduler did, for tests.
func (s *Store) ScheduleMarks(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Table("schedule_marks").Order("key").Pluck("key", &out).Error
	return out, translate(err, "schedule marks")
}

// SetReminderDays sets the days before campaign id's deadline its
// reminders go ("7,3,1"); no such campaign is ErrNotFound.
func (s *Store) SetReminderDays(ctx context.Context, id uint, days string) error {
	res := s.db.WithContext(ctx).Exec("UPDATE campaigns SET reminder_days = ? WHERE id = ?", days, id)
	if res.Error != nil {
		return translate(res.Error, "set reminder days of campaign %d", id)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: campaign %d: %w", id, ErrNotFound)
	}
	return nil
}

// ReminderDays are the days before campaign id's deadline its reminders go.
func (s *Store) ReminderDays(ctx context.Context, id uint) (string, error) {
	var out []string
	if err := s.db.WithContext(ctx).Table("campaigns").Where("id = ?", id).Limit(1).Pluck("reminder_days", &out).Error; err != nil {
		return "", translate(err, "reminder days of campaign %d", id)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("store: campaign %d: %w", id, ErrNotFound)
	}
	return out[0], nil
}
