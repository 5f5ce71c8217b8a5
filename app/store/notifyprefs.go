package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/notify"
)

// Each user's mode per event (notify.Mode) and the daily digest that
// gathers the e-mails held for it.

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func splitEvents(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// prefsOf reads the preferences of the recipients of notices.
func prefsOf(tx *gorm.DB, notices []notify.Notice) (map[uint]notify.Prefs, error) {
	var users []uint
	seen := map[uint]bool{}
	for _, n := range notices {
		if !seen[n.UserID] {
			seen[n.UserID] = true
			users = append(users, n.UserID)
		}
	}
	out := map[uint]notify.Prefs{}
	for len(users) > 0 {
		k := min(len(users), rowsPerInsert)
		var rows []struct {
			UserID      uint
			Event, Mode string
		}
		if err := tx.Table("notify_prefs").Where("user_id IN ?", users[:k]).Find(&rows).Error; err != nil {
			return nil, translate(err, "read notification preferences")
		}
		for _, r := range rows {
			if out[r.UserID] == nil {
				out[r.UserID] = notify.Prefs{}
			}
			out[r.UserID][r.Event] = notify.Mode(r.Mode)
		}
		users = users[k:]
	}
	return out, nil
}

// NotifyPrefs are user id's chosen modes.
func (s *Store) NotifyPrefs(ctx context.Context, id uint) (notify.Prefs, error) {
	out, err := prefsOf(s.db.WithContext(ctx), []notify.Notice{{UserID: id}})
	if err != nil {
		return nil, err
	}
	if out[id] == nil {
		return notify.Prefs{}, nil
	}
	return out[id], nil
}

// SetNotifyPrefs sets user id's mode of each event in p (the others keep
// theirs). One upsert per event: two saves at once each leave a whole row.
func (s *Store) SetNotifyPrefs(ctx context.Context, id uint, p notify.Prefs) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for e, m := range p {
			err := tx.Exec("INSERT INTO notify_prefs (user_id, event, mode) VALUES (?, ?, ?)"+
				" ON CONFLICT (user_id, event) DO UPDATE SET mode = excluded.mode", id, e, string(m)).Error
			if err != nil {
				return translate(err, "set notification preference of user %d", id)
			}
		}
		return nil
	})
}

// Mark records that the scheduled thing key was done, and reports whether
// it is new (false: done before, by this or another instance).
func mark(tx *gorm.DB, key string, now time.Time) (bool, error) {
	res := tx.Exec("INSERT INTO schedule_marks (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, now.UTC())
	if res.Error != nil {
		return false, translate(res.Error, "mark %s", key)
	}
	return res.RowsAffected == 1, nil
}

// GatherDigests makes the daily digest of day (YYYY-MM-DD) once: one
// pending e-mail per user gathering every e-mail held for the digest,
// which are then digested. It returns how many digests it made; 0 when
// day's digests were made already. The mark of day and the digests commit
// together, so a crash leaves either both or neither.
func (s *Store) GatherDigests(ctx context.Context, day string, now time.Time) (int, error) {
	made := 0
	err := s.transact(ctx, func(tx *gorm.DB) error {
		made = 0
		fresh, err := mark(tx, "digest:"+day, now)
		if err != nil || !fresh {
			return err
		}
		var rows []struct {
			ID                            int64
			UserID                        uint
			NID, EventID                  int64
			Kind, ActorName, ItemID, Link string
			AssessmentID                  uint
			At                            time.Time
		}
		err = tx.Table("deliveries d").Select("d.id, d.user_id, n.id AS n_id, n.event_id, n.kind, n.actor_name, n.item_id, n.link, n.assessment_id, n.created_at AS at").
			Joins("JOIN notifications n ON n.id = d.notification_id").
			Where("d.status = ? AND d.channel = ?", DeliveryHeld, notify.MailChannel).Order("d.user_id, d.id").Scan(&rows).Error
		if err != nil {
			return translate(err, "read held e-mails")
		}
		byUser := map[uint][]notify.Notice{}
		var users []uint
		var ids []int64
		for _, r := range rows {
			if byUser[r.UserID] == nil {
				users = append(users, r.UserID)
			}
			byUser[r.UserID] = append(byUser[r.UserID], notify.Notice{ID: r.NID, EventID: r.EventID, UserID: r.UserID, Event: r.Kind,
				ActorName: r.ActorName, AssessmentID: r.AssessmentID, ItemID: r.ItemID, Link: r.Link, At: r.At})
			ids = append(ids, r.ID)
		}
		for _, u := range users {
			payload, err := json.Marshal(byUser[u])
			if err != nil {
				return fmt.Errorf("store: digest of user %d: %w", u, err)
			}
			err = tx.Exec("INSERT INTO deliveries (idem_key, notification_id, user_id, channel, status, attempts, next_at, last_error, created_at, payload)"+
				" VALUES (?, 0, ?, ?, ?, 0, ?, '', ?, ?) ON CONFLICT (idem_key) DO NOTHING",
				fmt.Sprintf("digest:%s:%d:%s", day, u, notify.MailChannel), u, notify.MailChannel, DeliveryPending, now.UTC(), now.UTC(), string(payload)).Error
			if err != nil {
				return translate(err, "add digest of user %d", u)
			}
			made++
		}
		for len(ids) > 0 {
			k := min(len(ids), rowsPerInsert)
			if err := tx.Exec("UPDATE deliveries SET status = ?, sent_at = ? WHERE id IN ?", DeliveryDigested, now.UTC(), ids[:k]).Error; err != nil {
				return translate(err, "mark e-mails digested")
			}
			ids = ids[k:]
		}
		return nil
	})
	return made, err
}
