package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
	"selfcheck/app/notify"
)

// The webhooks firm admins and admins register (app/notify sends to them).

type webhookRow struct {
	ID          int64
	FirmID      uint
	CampaignID  uint
	Kind        string
	URL         string
	Secret      string
	Events      string
	CreatedByID uint
	CreatedAt   time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) webhook() notify.Webhook {
	return notify.Webhook{ID: r.ID, FirmID: r.FirmID, CampaignID: r.CampaignID, Kind: r.Kind, URL: r.URL, Secret: r.Secret, Events: splitEvents(r.Events)}
}

// Webhooks are every webhook (notify.Store).
func (s *Store) Webhooks(ctx context.Context) ([]notify.Webhook, error) {
	var rows []webhookRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "list webhooks")
	}
	out := make([]notify.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, nil
}

// scopeWebhooks limits q to actor's webhooks: a firm admin's firm's, all
// the admins' (a webhook of no firm).
func scopeWebhooks(q *gorm.DB, actor *User) *gorm.DB {
	if actor.Role == auth.Admin {
		return q.Where("firm_id = 0")
	}
	if actor.Role == auth.FirmAdmin && actor.FirmID != nil {
		return q.Where("firm_id = ?", *actor.FirmID)
	}
	return q.Where("1 = 0")
}

// WebhooksOf are the webhooks actor manages, oldest first.
func (s *Store) WebhooksOf(ctx context.Context, actor *User) ([]notify.Webhook, error) {
	var rows []webhookRow
	if err := scopeWebhooks(s.db.WithContext(ctx), actor).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "list webhooks of user %d", actor.ID)
	}
	out := make([]notify.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.webhook()
	}
	return out, nil
}

// WebhookOf is actor's webhook id; another's, or none, is ErrNotFound.
func (s *Store) WebhookOf(ctx context.Context, actor *User, id int64) (notify.Webhook, error) {
	var rows []webhookRow
	if err := scopeWebhooks(s.db.WithContext(ctx), actor).Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return notify.Webhook{}, translate(err, "webhook %d", id)
	}
	if len(rows) == 0 {
		return notify.Webhook{}, fmt.Errorf("store: webhook %d: %w", id, ErrNotFound)
	}
	return rows[0].webhook(), nil
}

// CreateWebhook stores w, checked by the caller, for actor: a firm admin's
// for their firm, an admin's for w's campaign (0: all), which must exist
// (ErrBadCampaign).
func (s *Store) CreateWebhook(ctx context.Context, actor *User, w notify.Webhook) (int64, error) {
	row := webhookRow{Kind: w.Kind, URL: w.URL, Secret: w.Secret, Events: strings.Join(w.Events, ","), CreatedByID: actor.ID, CreatedAt: time.Now().UTC()}
	switch {
	case actor.Role == auth.Admin:
		row.CampaignID = w.CampaignID
	case actor.Role == auth.FirmAdmin && actor.FirmID != nil:
		row.FirmID = *actor.FirmID
	default:
		return 0, fmt.Errorf("store: create webhook: %w", ErrNotFound)
	}
	err := s.transact(ctx, func(tx *gorm.DB) error {
		if row.CampaignID != 0 {
			var n int64
			if err := tx.Table("campaigns").Where("id = ?", row.CampaignID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return ErrBadCampaign
			}
		}
		row.ID = 0
		return tx.Create(&row).Error
	})
	if errors.Is(err, ErrBadCampaign) {
		return 0, fmt.Errorf("store: webhook campaign %d: %w", w.CampaignID, ErrBadCampaign)
	}
	return row.ID, translate(err, "create webhook")
}

// DeleteWebhook deletes actor's webhook id; its pending deliveries fail
// (they find no webhook). Another's, or none, is ErrNotFound.
func (s *Store) DeleteWebhook(ctx context.Context, actor *User, id int64) error {
	res := scopeWebhooks(s.db.WithContext(ctx), actor).Where("id = ?", id).Delete(&webhookRow{})
	if res.Error != nil {
		return translate(res.Error, "delete webhook %d", id)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: webhook %d: %w", id, ErrNotFound)
	}
	return nil
}

// AddWebhookDeliveries stores a pending delivery of each notice to its
// webhook (notify.Store); the idempotency key (event, webhook) makes a
// redelivered event a no-op.
func (s *Store) AddWebhookDeliveries(ctx context.Context, ds []notify.WebhookNotice) error {
	now := time.Now().UTC()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, d := range ds {
			payload, err := json.Marshal(d.Notice)
			if err != nil {
				return fmt.Errorf("store: webhook delivery: %w", err)
			}
			key := fmt.Sprintf("%d:w%d:%s", d.Notice.EventID, d.WebhookID, notify.WebhookChannel)
			err = tx.Exec("INSERT INTO deliveries (idem_key, notification_id, user_id, webhook_id, channel, status, attempts, next_at, last_error, created_at, payload)"+
				" VALUES (?, 0, 0, ?, ?, ?, 0, ?, '', ?, ?) ON CONFLICT (idem_key) DO NOTHING",
				key, d.WebhookID, notify.WebhookChannel, DeliveryPending, now, now, string(payload)).Error
			if err != nil {
				return translate(err, "add delivery %s", key)
			}
		}
		return nil
	})
}
