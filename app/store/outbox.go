package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/outbox"
)

// The outbox. A use case that changes a firm's work or a campaign records
// an outbox.Event with emit, in its own transaction and beside its audit
// entry, so the event commits exactly when the change does. The dispatcher
// (app/outbox) reads the committed events through EventsAfter and keeps each
// subscriber's position with Cursor and SetCursor. Inside a group-commit
// batch the events of every save are held by the batch's auditTail and
// written in one statement when it flushes.

// eventRow is a row of the events table. Ids are never reused
// (AUTOINCREMENT on SQLite, a sequence on PostgreSQL): the dispatchers'
// cursors count on it.
type eventRow struct {
	ID           int64
	Kind         string
	ActorID      *uint
	ActorName    string
	FirmID       *uint
	CampaignID   *uint
	AssessmentID *uint
	ItemID       string
	Detail       string
	CreatedAt    time.Time
}

func (eventRow) TableName() string { return "events" }

func (r eventRow) event() outbox.Event {
	val := func(p *uint) uint {
		if p == nil {
			return 0
		}
		return *p
	}
	return outbox.Event{ID: r.ID, Kind: outbox.Kind(r.Kind), ActorID: val(r.ActorID), ActorName: r.ActorName,
		FirmID: val(r.FirmID), CampaignID: val(r.CampaignID), AssessmentID: val(r.AssessmentID),
		ItemID: r.ItemID, Detail: r.Detail, At: r.CreatedAt}
}

// eventBy starts an event acted by u (nil: the system) on the assessment
// id (0: none). detail is encoded as its JSON object.
func eventBy(u *User, kind outbox.Kind, id uint, item string, detail any) outbox.Event {
	ev := outbox.Event{Kind: kind, AssessmentID: id, ItemID: item}
	if u != nil {
		ev.ActorID, ev.ActorName = u.ID, u.Name
	}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			// Details are maps of strings and numbers built here: a
			// failure is a programming error, not a reason to fail the change.
			b = []byte("{}")
		}
		ev.Detail = string(b)
	}
	return ev
}

// emit records ev in tx, the transaction of the change it describes.
func emit(tx *gorm.DB, ev outbox.Event) error {
	ev.At = time.Now().UTC()
	if t := batchAuditTail(tx); t != nil {
		t.events = append(t.events, ev)
		return nil
	}
	return insertEvents(tx, []outbox.Event{ev})
}

// insertEvents writes events in as few statements as it can. An event of an
// assessment takes its firm and campaign from the assessment's row unless
// it names them, so the autosave path need not read them.
func insertEvents(tx *gorm.DB, events []outbox.Event) error {
	null := func(id uint) any {
		if id == 0 {
			return nil
		}
		return id
	}
	err := insertChunked(tx, "INSERT INTO events (kind, actor_id, actor_name, firm_id, campaign_id, assessment_id, item_id, detail, created_at)",
		"(?, ?, ?, COALESCE(?, (SELECT firm_id FROM assessments WHERE id = ?)), COALESCE(?, (SELECT campaign_id FROM assessments WHERE id = ?)), ?, ?, ?, ?)",
		len(events), func(i int) []any {
			e := events[i]
			a := null(e.AssessmentID)
			return []any{string(e.Kind), null(e.ActorID), e.ActorName, null(e.FirmID), a, null(e.CampaignID), a, a, e.ItemID, e.Detail, e.At}
		})
	return translate(err, "record %d events", len(events))
}

// OnEventsCommitted sets fn to be called after a change that recorded
// events has committed (the dispatcher's Notify). fn must not block.
func (s *Store) OnEventsCommitted(fn func()) {
	s.afterCommit.Store(&fn)
}

// eventsCommitted tells the dispatcher, if any, that events have committed.
func (s *Store) eventsCommitted() {
	if s.afterCommit == nil { // a Store not made by Open
		return
	}
	if fn := s.afterCommit.Load(); fn != nil {
		(*fn)()
	}
}

// change runs fn in a transaction, as a use case that emits events does,
// and wakes the dispatcher once it has committed.
func (s *Store) change(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if err := s.transact(ctx, fn); err != nil {
		return err
	}
	s.eventsCommitted()
	return nil
}

// writeLock is taken first by every transaction that writes, on every
// instance. Group-commit batches of saves take it shared and run side by
// side, in an order of row locks that cannot deadlock (groupcommit.go);
// every other writing transaction takes it exclusively, so it never holds
// rows (an assessment, the audit head, a rollup) in an order opposite to
// another's, which PostgreSQL would end as a deadlock after a second's
// wait. Those are the rarer writes (submit, review, an upload, an admin's
// change). SQLite's write gate already runs one writer at a time.
const writeLock = "writes"

// transact runs fn in a transaction. One that another transaction's locks
// aborted (a deadlock between instances on PostgreSQL) runs again from the
// start, a few times with a random pause, so fn must read everything it
// decides on through tx and may run more than once before it commits.
func (s *Store) transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	for attempt := 1; ; attempt++ {
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := s.dialect.Lock(tx, writeLock); err != nil {
				return err
			}
			return fn(tx)
		})
		if !s.dialect.Retryable(err) || attempt == maxBatchRuns || ctx.Err() != nil {
			return err
		}
		if s.log != nil {
			s.log.Warn("store: a transaction met another's locks and runs again", "attempt", attempt, "err", err)
		}
		time.Sleep(time.Duration(1+rand.IntN(20*attempt)) * time.Millisecond)
	}
}

// EventsAfter returns up to limit committed events with an id above after,
// in id order (outbox.Store).
func (s *Store) EventsAfter(ctx context.Context, after int64, limit int) ([]outbox.Event, error) {
	var rows []eventRow
	if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "events after %d", after)
	}
	out := make([]outbox.Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, nil
}

// eventCursor is how far a subscriber has handled the events.
type eventCursor struct {
	Name      string `gorm:"primaryKey"`
	LastID    int64
	UpdatedAt time.Time
}

// Cursor returns the last event id the subscriber name has handled, 0
// before its first (outbox.Store).
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var c []eventCursor
	if err := s.db.WithContext(ctx).Where("name = ?", name).Limit(1).Find(&c).Error; err != nil {
		return 0, translate(err, "cursor of %s", name)
	}
	if len(c) == 0 {
		return 0, nil
	}
	return c[0].LastID, nil
}

// SetCursor records that the subscriber name has handled every event up to
// id (outbox.Store). The WHERE of the upsert keeps a cursor from moving
// back when two instances deliver the same events.
func (s *Store) SetCursor(ctx context.Context, name string, id int64) error {
	err := s.db.WithContext(ctx).Exec("INSERT INTO event_cursors (name, last_id, updated_at) VALUES (?, ?, ?)"+
		" ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at"+
		" WHERE event_cursors.last_id < excluded.last_id", name, id, time.Now().UTC()).Error
	return translate(err, "store cursor of %s", name)
}

// Lease takes or renews the lease name for holder until until, if it is
// free, expired at now, or holder's already (outbox.Store). One statement:
// of two instances asking at once, the row's lock lets one win.
func (s *Store) Lease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	res := s.db.WithContext(ctx).Exec("INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)"+
		" ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"+
		" WHERE leases.holder = excluded.holder OR leases.until < ?", name, holder, until.UTC(), now.UTC())
	if res.Error != nil {
		return false, translate(res.Error, "lease %s", name)
	}
	return res.RowsAffected == 1, nil
}

// Activity is one entry of an assessment's activity feed.
type Activity struct {
	ID           int64
	AssessmentID uint
	EventID      int64
	Kind         outbox.Kind
	ActorName    string
	ItemID       string
	Detail       string // the event's JSON detail
	At           time.Time
}

// AddActivities adds the events to their assessments' feeds, skipping any
// already there (outbox.ActivityStore): the unique event_id makes a
// redelivery a no-op.
func (s *Store) AddActivities(ctx context.Context, events []outbox.Event) error {
	for len(events) > 0 {
		n := min(len(events), rowsPerInsert)
		err := insertValues(s.db.WithContext(ctx), "INSERT INTO activities (assessment_id, event_id, kind, actor_name, item_id, detail, at)", n,
			" ON CONFLICT (event_id) DO NOTHING", func(i int) []any {
				e := events[i]
				return []any{e.AssessmentID, e.ID, string(e.Kind), e.ActorName, e.ItemID, e.Detail, e.At}
			})
		if err != nil {
			return translate(err, "add %d activities", n)
		}
		events = events[n:]
	}
	return nil
}

// MaxActivityPage bounds a page of the activity feed.
const MaxActivityPage = 200

// Activities returns up to limit (at most MaxActivityPage) entries of the
// feed of an assessment actor may see, newest first, those with an id below
// before when it is not 0, and whether older ones remain. Another firm's
// assessment is ErrNotFound, as for Sheet and Timeline.
func (s *Store) Activities(ctx context.Context, actor *User, id uint, before int64, limit int) ([]Activity, bool, error) {
	db := s.db.WithContext(ctx)
	var a Assessment
	if err := db.Scopes(scopeAssessments(actor)).Select("id").First(&a, "assessments.id = ?", id).Error; err != nil {
		return nil, false, translate(err, "assessment %d", id)
	}
	if limit <= 0 || limit > MaxActivityPage {
		limit = MaxActivityPage
	}
	q := db.Table("activities").Where("assessment_id = ?", id)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var out []Activity
	if err := q.Order("id DESC").Limit(limit + 1).Find(&out).Error; err != nil {
		return nil, false, fmt.Errorf("store: activity of assessment %d: %w", id, err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
