package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/auth"
	"selfcheck/app/notify"
	"selfcheck/app/outbox"
)

// The notifications of app/notify: in-app notices, one per (event,
// recipient), and deliveries over outside channels, one per (event,
// recipient, channel), which the Sender claims, retries and finishes.

// Delivery states.
const (
	DeliveryPending = "pending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	// DeliveryHeld is an e-mail its recipient wants in the daily digest:
	// never claimed, gathered into the digest (then DeliveryDigested).
	DeliveryHeld     = "digest"
	DeliveryDigested = "digested"
)

// Recipients are the enabled users of audience a for event e
// (notify.Store).
func (s *Store) Recipients(ctx context.Context, a notify.Audience, e outbox.Event, named []uint) ([]notify.Recipient, error) {
	db := s.db.WithContext(ctx)
	enabled := func() *gorm.DB { return db.Table("users").Select("id AS user_id, role").Where("disabled_at IS NULL") }
	auditors := func() *gorm.DB {
		if e.CampaignID == 0 {
			return enabled().Where("role = ?", string(auth.Admin))
		}
		return enabled().Where("role = ? AND id IN (?)", string(auth.Auditor),
			db.Table("campaign_auditors").Select("user_id").Where("campaign_id = ?", e.CampaignID))
	}
	firmUsers := func() *gorm.DB {
		return enabled().Where("firm_id = ? AND role IN ?", e.FirmID, []string{string(auth.FirmMember), string(auth.FirmAdmin)})
	}
	var queries []*gorm.DB
	switch a {
	case notify.Auditors:
		queries = append(queries, auditors())
	case notify.FirmUsers:
		queries = append(queries, firmUsers())
	case notify.Participants:
		queries = append(queries, auditors(), firmUsers())
	case notify.Named:
		if len(named) == 0 {
			return nil, nil
		}
		queries = append(queries, enabled().Where("id IN ?", named))
	case notify.OwnerOrFirmAdmins:
		if len(named) > 0 {
			queries = append(queries, enabled().Where("id IN ? AND firm_id = ?", named, e.FirmID))
		} else {
			queries = append(queries, enabled().Where("firm_id = ? AND role = ?", e.FirmID, string(auth.FirmAdmin)))
		}
	default:
		return nil, fmt.Errorf("store: recipients: unknown audience %d", a)
	}
	var out []notify.Recipient
	seen := map[uint]bool{}
	for _, q := range queries {
		var rows []notify.Recipient
		if err := q.Order("id").Find(&rows).Error; err != nil {
			return nil, translate(err, "recipients of event %d", e.ID)
		}
		for _, r := range rows {
			if !seen[r.UserID] {
				seen[r.UserID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// AddNotices stores the notices and a pending delivery of each over each
// channel, skipping what is stored already (notify.Store): the unique
// (event, user) and idempotency key make a redelivered event a no-op.
// One transaction, so a notice never lacks its deliveries. An e-mail
// follows its recipient's preference for the event: none (in-app only),
// pending (at once) or held for the daily digest.
func (s *Store) AddNotices(ctx context.Context, notices []notify.Notice, channels []string) error {
	now := time.Now().UTC()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		prefs, err := prefsOf(tx, notices)
		if err != nil {
			return err
		}
		for len(notices) > 0 {
			n := min(len(notices), rowsPerInsert)
			err := insertValues(tx, "INSERT INTO notifications (user_id, event_id, kind, actor_name, assessment_id, item_id, link, created_at)", n,
				" ON CONFLICT (event_id, user_id) DO NOTHING", func(i int) []any {
					x := notices[i]
					return []any{x.UserID, x.EventID, x.Event, x.ActorName, x.AssessmentID, x.ItemID, x.Link, x.At.UTC()}
				})
			if err != nil {
				return translate(err, "add %d notifications", n)
			}
			for _, x := range notices[:n] {
				for _, ch := range channels {
					status := DeliveryPending
					if ch == notify.MailChannel {
						switch prefs[x.UserID].Of(x.Event) {
						case notify.InApp:
							continue
						case notify.Digest:
							status = DeliveryHeld
						}
					}
					key := fmt.Sprintf("%d:%d:%s", x.EventID, x.UserID, ch)
					err := tx.Exec("INSERT INTO deliveries (idem_key, notification_id, user_id, channel, status, attempts, next_at, last_error, created_at)"+
						" SELECT ?, id, user_id, ?, ?, 0, ?, '', ? FROM notifications WHERE event_id = ? AND user_id = ?"+
						" ON CONFLICT (idem_key) DO NOTHING", key, ch, status, now, now, x.EventID, x.UserID).Error
					if err != nil {
						return translate(err, "add delivery %s", key)
					}
				}
			}
			notices = notices[n:]
		}
		return nil
	})
}

// MaxNoticePage bounds a page of notifications.
const MaxNoticePage = 100

// Notices returns up to limit (at most MaxNoticePage) of actor's own
// notifications, newest first, those with an id below before when it is
// not 0, and whether older ones remain.
func (s *Store) Notices(ctx context.Context, actor *User, before int64, limit int) ([]notify.Notice, bool, error) {
	if limit <= 0 || limit > MaxNoticePage {
		limit = MaxNoticePage
	}
	q := s.db.WithContext(ctx).Table("notifications").
		Select("id, event_id, user_id, kind AS event, actor_name, assessment_id, item_id, link, created_at AS at, read_at").
		Where("user_id = ?", actor.ID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var out []notify.Notice
	if err := q.Order("id DESC").Limit(limit + 1).Find(&out).Error; err != nil {
		return nil, false, translate(err, "notifications of user %d", actor.ID)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// UnreadNotices counts actor's unread notifications.
func (s *Store) UnreadNotices(ctx context.Context, actor *User) (int64, error) {
	// Every page with a signed-in user asks it (the bell): a prepared
	// plain count without cancellation, as FillSheet reads.
	db := s.db.Session(&gorm.Session{Context: readContext(ctx), PrepareStmt: true})
	var n int64
	err := db.Raw("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", actor.ID).Row().Scan(&n)
	return n, translate(err, "unread notifications of user %d", actor.ID)
}

// MarkNoticeRead marks actor's notification id read and returns the path
// of the page it is about; another user's, or none, is ErrNotFound.
// Marking it again changes nothing.
func (s *Store) MarkNoticeRead(ctx context.Context, actor *User, id int64) (string, error) {
	db := s.db.WithContext(ctx)
	var links []string
	if err := db.Table("notifications").Where("id = ? AND user_id = ?", id, actor.ID).Limit(1).Pluck("link", &links).Error; err != nil {
		return "", translate(err, "notification %d", id)
	}
	if len(links) == 0 {
		return "", fmt.Errorf("store: notification %d: %w", id, ErrNotFound)
	}
	err := db.Exec("UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL", time.Now().UTC(), id, actor.ID).Error
	return links[0], translate(err, "mark notification %d read", id)
}

// MarkAllNoticesRead marks every notification of actor read.
func (s *Store) MarkAllNoticesRead(ctx context.Context, actor *User) error {
	err := s.db.WithContext(ctx).Exec("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", time.Now().UTC(), actor.ID).Error
	return translate(err, "mark notifications of user %d read", actor.ID)
}

// ClaimDeliveries takes up to limit pending deliveries due at now and makes
// them due again only at until (notify.DeliveryStore). On PostgreSQL the
// SELECT locks the rows it takes and skips those another instance's claim
// holds (Dialect.SkipLocked); on SQLite the write gate runs one claim at a
// time. Either way the UPDATE moves them out of the due set before the
// transaction ends, so no later claim takes them until until.
func (s *Store) ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]notify.Delivery, error) {
	var out []notify.Delivery
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []int64
		err := tx.Raw("SELECT id FROM deliveries WHERE status = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?"+s.dialect.SkipLocked(),
			DeliveryPending, now.UTC(), limit).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return translate(err, "claim deliveries")
		}
		if err := tx.Exec("UPDATE deliveries SET attempts = attempts + 1, next_at = ? WHERE id IN ?", until.UTC(), ids).Error; err != nil {
			return translate(err, "claim deliveries")
		}
		// A digest or a webhook's delivery has no notification row (its
		// payload says what it sends), a webhook's no user: outer joins.
		var rows []struct {
			ID                            int64
			IdemKey, Channel, Payload     string
			Attempts                      int
			CreatedAt                     time.Time
			NID, EventID                  *int64
			UserID                        *uint
			Kind, ActorName, ItemID, Link *string
			AssessmentID                  *uint
			At                            *time.Time
			Email, Name, Lang             *string
			WebhookID                     int64
			WID                           *int64
			WFirmID, WCampaignID          *uint
			WKind, WURL, WSecret, WEvents *string
		}
		err = tx.Table("deliveries d").Select("d.id, d.idem_key, d.channel, d.payload, d.attempts, d.created_at, n.id AS n_id, n.event_id, d.user_id,"+
			" n.kind, n.actor_name, n.item_id, n.link, n.assessment_id, n.created_at AS at, u.email, u.name, u.lang,"+
			" d.webhook_id, w.id AS w_id, w.firm_id AS w_firm_id, w.campaign_id AS w_campaign_id, w.kind AS w_kind, w.url AS w_url, w.secret AS w_secret, w.events AS w_events").
			Joins("LEFT JOIN notifications n ON n.id = d.notification_id").Joins("LEFT JOIN users u ON u.id = d.user_id").
			Joins("LEFT JOIN webhooks w ON w.id = d.webhook_id").
			Where("d.id IN ?", ids).Order("d.id").Scan(&rows).Error
		if err != nil {
			return translate(err, "read claimed deliveries")
		}
		for _, r := range rows {
			d := notify.Delivery{ID: r.ID, Key: r.IdemKey, Channel: r.Channel, Attempts: r.Attempts, CreatedAt: r.CreatedAt,
				Email: deref(r.Email), Name: deref(r.Name), Lang: deref(r.Lang)}
			if r.NID != nil {
				d.Notice = notify.Notice{ID: *r.NID, EventID: deref(r.EventID), UserID: deref(r.UserID), Event: deref(r.Kind), ActorName: deref(r.ActorName),
					AssessmentID: deref(r.AssessmentID), ItemID: deref(r.ItemID), Link: deref(r.Link), At: deref(r.At)}
			}
			if r.Payload != "" {
				// A digest's payload is its notices; a webhook's, its notice.
				target := any(&d.Notice)
				if r.WebhookID == 0 {
					target = &d.Digest
				}
				if err := json.Unmarshal([]byte(r.Payload), target); err != nil {
					return fmt.Errorf("store: delivery %d: payload: %w", r.ID, err)
				}
			}
			if r.WebhookID != 0 {
				// A webhook deleted since: Webhook stays nil and the
				// channel fails the delivery for good.
				if r.WID != nil {
					d.Webhook = &notify.Webhook{ID: *r.WID, FirmID: deref(r.WFirmID), CampaignID: deref(r.WCampaignID), Kind: deref(r.WKind),
						URL: deref(r.WURL), Secret: deref(r.WSecret), Events: splitEvents(deref(r.WEvents))}
				}
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// DeliverySent records a delivery as sent (notify.DeliveryStore).
func (s *Store) DeliverySent(ctx context.Context, id int64, at time.Time) error {
	err := s.db.WithContext(ctx).Exec("UPDATE deliveries SET status = ?, sent_at = ?, last_error = '' WHERE id = ?", DeliverySent, at.UTC(), id).Error
	return translate(err, "record delivery %d sent", id)
}

// DeliveryFailed records a failed attempt of a delivery (notify.DeliveryStore).
func (s *Store) DeliveryFailed(ctx context.Context, id int64, reason string, next time.Time, final bool) error {
	status := DeliveryPending
	if final {
		status = DeliveryFailed
	}
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	err := s.db.WithContext(ctx).Exec("UPDATE deliveries SET status = ?, next_at = ?, last_error = ? WHERE id = ?", status, next.UTC(), reason, id).Error
	return translate(err, "record delivery %d failed", id)
}

// DeliveryState is a delivery as the deliveries page and tests read it.
type DeliveryState struct {
	ID        int64
	IdemKey   string
	UserID    uint
	Channel   string
	Status    string
	Attempts  int
	NextAt    time.Time
	LastError string
	SentAt    *time.Time
}

// Deliveries lists every delivery, oldest first: for admins and tests.
func (s *Store) Deliveries(ctx context.Context) ([]DeliveryState, error) {
	var out []DeliveryState
	err := s.db.WithContext(ctx).Table("deliveries").Order("id").Find(&out).Error
	return out, translate(err, "list deliveries")
}

// SetUserLanguage records the language user id reads in (zh or en), for
// what is sent to them outside a page (e-mail).
func (s *Store) SetUserLanguage(ctx context.Context, id uint, lang string) error {
	err := s.db.WithContext(ctx).Exec("UPDATE users SET lang = ? WHERE id = ?", lang, id).Error
	return translate(err, "set language of user %d", id)
}

// DeliveryRow is a delivery as the admins' deliveries page shows it.
type DeliveryRow struct {
	ID        int64
	Channel   string
	Status    string
	Event     string // the notice's event; "" for a digest or a webhook's
	Email     string // the recipient's; "" for a webhook's
	URL       string // the webhook's; "" for an e-mail
	Attempts  int
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
}

// MaxDeliveryRows bounds the deliveries page.
const MaxDeliveryRows = 200

// TroubledDeliveries are the failed deliveries and the pending ones that
// have failed at least once, newest first: what an admin looks at when a
// message did not arrive.
func (s *Store) TroubledDeliveries(ctx context.Context) ([]DeliveryRow, error) {
	var out []DeliveryRow
	err := s.db.WithContext(ctx).Table("deliveries d").
		Select("d.id, d.channel, d.status, COALESCE(n.kind, '') AS event, COALESCE(u.email, '') AS email, COALESCE(w.url, '') AS url,"+
			" d.attempts, d.next_at, d.last_error, d.created_at").
		Joins("LEFT JOIN notifications n ON n.id = d.notification_id").Joins("LEFT JOIN users u ON u.id = d.user_id").
		Joins("LEFT JOIN webhooks w ON w.id = d.webhook_id").
		Where("d.status = ? OR (d.status = ? AND d.last_error <> '')", DeliveryFailed, DeliveryPending).
		Order("d.id DESC").Limit(MaxDeliveryRows).Scan(&out).Error
	return out, translate(err, "troubled deliveries")
}

// RetryDelivery makes a failed or pending delivery due at once, with a
// fresh 24 hours of retries; a sent one, or none, is ErrNotFound.
func (s *Store) RetryDelivery(ctx context.Context, id int64) error {
	now := time.Now().UTC()
	res := s.db.WithContext(ctx).Exec("UPDATE deliveries SET status = ?, next_at = ?, created_at = ?, attempts = 0 WHERE id = ? AND status IN ?",
		DeliveryPending, now, now, id, []string{DeliveryFailed, DeliveryPending})
	if res.Error != nil {
		return translate(res.Error, "retry delivery %d", id)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("store: delivery %d: %w", id, ErrNotFound)
	}
	return nil
}
