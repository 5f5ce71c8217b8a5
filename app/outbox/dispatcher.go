package outbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Store is what the dispatcher reads and writes: the committed events and
// one cursor per subscriber.
type Store interface {
	// EventsAfter returns up to limit committed events with an id above
	// after, in id order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error)
	// Cursor is the id of the last event delivered to the subscriber
	// name, 0 before the first.
	Cursor(ctx context.Context, name string) (int64, error)
	// SetCursor records that the subscriber name has handled every event
	// up to id. It never moves a cursor back, so two instances delivering
	// the same events cannot undo each other's progress.
	SetCursor(ctx context.Context, name string, id int64) error
	// Lease takes or renews the lease name for holder until until, and
	// reports whether holder has it: it is free, expired (its until has
	// passed at now) or already holder's.
	Lease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
}

// Subscriber acts on events. Handle gets them in id order, so those of one
// assessment in the order they happened. It may be given an event again
// (the cursor is stored after Handle returns, and another instance may
// deliver the same events), so it must be idempotent. An error makes the
// dispatcher retry the same events later: it never skips one.
type Subscriber interface {
	Name() string // the key of its stored cursor: never rename a subscriber
	Handle(ctx context.Context, events []Event) error
}

// Defaults of a Dispatcher's settings.
const (
	DefaultBatch = 200
	// DefaultGrace is longer than any transaction that writes an event may
	// run (the store gives a write 60 s), so a hole in the ids still open
	// after it is a rolled-back transaction, not one yet to commit.
	DefaultGrace      = 2 * time.Minute
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
	// DefaultLease is how long a subscriber's lease lasts unrenewed: after
	// an instance holding it dies, another takes over within it.
	DefaultLease = 15 * time.Second
)

// Dispatcher delivers the committed events to its subscribers: each in its
// own loop with its own cursor, so a failing subscriber holds back only
// itself. A loop runs when Notify wakes it (a commit in this process) or
// every poll interval (commits of another instance, and retries).
//
// The cursor is "every event up to id N is handled", and a loop reads the
// events above N. That is only sound if no event with an id at or below N
// can still appear, which a database sequence does not promise: on
// PostgreSQL a transaction takes its id when it inserts and may commit
// after one that took a higher id, so "id > N" would skip it for good. The
// loop therefore moves its cursor only over a run of consecutive ids. A
// hole (N+1 missing while a higher id is visible) is pending: the loop
// delivers up to the hole and waits. If the hole fills, delivery goes on in
// order; if it is still open after Grace, its ids belong to transactions
// that rolled back (sequence values are not returned), and the loop
// steps over it. On SQLite, with one writer whose rolled-back inserts give
// their ids back, ids commit in order and holes do not arise, but the rule
// costs nothing there.
//
// With several instances on one database, each runs a dispatcher, and each
// subscriber is delivered by one of them at a time: the holder of the
// subscriber's lease, stored in the database and renewed while it lives.
// The others wait and poll; when the holder dies, the first to find its
// lease expired takes over from the stored cursor. Without the lease every
// instance would deliver every event: the subscribers' work (an activity
// row, an e-mail) done once per instance. Delivery stays at least once: a
// holder that stalls past its lease may deliver a batch the next holder
// delivers again.
type Dispatcher struct {
	store Store
	log   *slog.Logger
	poll  time.Duration
	subs  []Subscriber
	wakes []chan struct{}

	// Settings; change them before Run.
	Batch      int           // events per Handle at most
	Grace      time.Duration // how long a hole in the ids stays pending
	MinBackoff time.Duration // first wait after a failure, doubling up to MaxBackoff
	MaxBackoff time.Duration
	Lease      time.Duration // how long a subscriber's lease lasts unrenewed
	// Gather is how long a loop woken by a commit waits before it reads,
	// so that the events of the commits meanwhile are delivered together:
	// under many saves, one delivery (and its commits) for many batches
	// instead of one for each.
	Gather time.Duration

	holder string           // this dispatcher's name in the leases
	now    func() time.Time // the clock of the hole rule and the leases; tests replace it
}

// New returns a dispatcher of the events of st to subs, polling every poll.
func New(st Store, log *slog.Logger, poll time.Duration, subs ...Subscriber) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{store: st, log: log, poll: poll, subs: subs,
		Batch: DefaultBatch, Grace: DefaultGrace, MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff, Lease: DefaultLease,
		holder: holderName(), now: time.Now}
	for range subs {
		d.wakes = append(d.wakes, make(chan struct{}, 1))
	}
	return d
}

// Notify wakes every subscriber's loop to look for new events now. It never
// blocks: a loop already woken stays woken once, which covers any number of
// commits before it looks.
func (d *Dispatcher) Notify() {
	for _, w := range d.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Run delivers events until ctx ends, then returns once every loop has
// stopped. A Handle in progress gets the cancelled ctx; what it finished
// is delivered again at the next start.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i, sub := range d.subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.loop(ctx, sub, d.wakes[i])
		}()
	}
	wg.Wait()
}

// holderName names this dispatcher in the leases: the host and process,
// and a random part, since two dispatchers may share a process (tests).
func holderName() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// cursor is a loop's position and the hole it waits on, if any.
type cursor struct {
	held   time.Time // the lease is this loop's until then (renewed at half of it)
	loaded bool
	last   int64     // every event up to it is handled
	hole   int64     // the first missing id the loop waits on; 0: none
	since  time.Time // when the loop first saw the hole
}

func (d *Dispatcher) loop(ctx context.Context, sub Subscriber, wake <-chan struct{}) {
	var c cursor
	defer d.release(sub, &c)
	var backoff time.Duration
	for ctx.Err() == nil {
		held, err := d.lease(ctx, sub, &c)
		if err == nil && !held {
			// Another instance delivers: look again soon enough to take
			// over within the lease when it dies.
			d.sleep(ctx, min(d.poll, d.Lease/3))
			continue
		}
		more := false
		if err == nil {
			more, err = d.step(ctx, sub, &c)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A commit does not cure a failing subscriber: wait out
			// the backoff whatever wakes meanwhile.
			backoff = min(max(2*backoff, d.MinBackoff), d.MaxBackoff)
			d.log.Error("outbox: delivery failed; retrying", "subscriber", sub.Name(), "after", c.last, "retry_in", backoff, "err", err)
			d.sleep(ctx, backoff)
			continue
		}
		backoff = 0
		if more {
			continue
		}
		t := time.NewTimer(d.poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-wake:
			if d.Gather > 0 {
				d.sleep(ctx, d.Gather)
			}
		}
		t.Stop()
	}
}

// lease takes or renews sub's lease when half of it has passed. A loop
// that finds it held elsewhere forgets its cursor: the holder moves it, and
// the loop reads it afresh if it takes over.
func (d *Dispatcher) lease(ctx context.Context, sub Subscriber, c *cursor) (bool, error) {
	now := d.now()
	if now.Add(d.Lease / 2).Before(c.held) {
		return true, nil
	}
	until := now.Add(d.Lease)
	held, err := d.store.Lease(ctx, "outbox:"+sub.Name(), d.holder, now, until)
	if err != nil {
		return false, fmt.Errorf("outbox: lease of %s: %w", sub.Name(), err)
	}
	if !held {
		*c = cursor{}
		return false, nil
	}
	if c.held.IsZero() {
		c.loaded = false // taken over: the stored cursor is where the last holder got to
	}
	c.held = until
	return true, nil
}

// release gives up a lease the loop holds as it stops, so that another
// instance takes over at once rather than after the lease (a restart, a
// rolling upgrade).
func (d *Dispatcher) release(sub Subscriber, c *cursor) {
	if c.held.IsZero() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := d.now()
	if _, err := d.store.Lease(ctx, "outbox:"+sub.Name(), d.holder, now, now.Add(-time.Second)); err != nil {
		d.log.Warn("outbox: could not release a lease; another instance takes over when it expires", "subscriber", sub.Name(), "err", err)
	}
}

// sleep waits for dt or the end of ctx.
func (d *Dispatcher) sleep(ctx context.Context, dt time.Duration) {
	t := time.NewTimer(dt)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// step delivers the next run of events to sub, and reports whether more
// may be waiting right away (a full batch was read and delivered).
func (d *Dispatcher) step(ctx context.Context, sub Subscriber, c *cursor) (more bool, err error) {
	if !c.loaded {
		if c.last, err = d.store.Cursor(ctx, sub.Name()); err != nil {
			return false, fmt.Errorf("outbox: read cursor: %w", err)
		}
		c.loaded = true
	}
	events, err := d.store.EventsAfter(ctx, c.last, d.Batch)
	if err != nil {
		return false, fmt.Errorf("outbox: read events after %d: %w", c.last, err)
	}
	run := d.consecutive(sub, c, events)
	if len(run) == 0 {
		return false, nil
	}
	if err := sub.Handle(ctx, run); err != nil {
		return false, fmt.Errorf("outbox: %s: %w", sub.Name(), err)
	}
	last := run[len(run)-1].ID
	// Recorded even when the dispatcher is stopping meanwhile: what was
	// handled is not delivered again at the next start.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := d.store.SetCursor(sctx, sub.Name(), last); err != nil {
		// Handled but not recorded: the events come again, which an
		// idempotent subscriber absorbs.
		return false, fmt.Errorf("outbox: store cursor %d: %w", last, err)
	}
	c.last = last
	return len(run) == len(events) && len(events) == d.Batch, nil
}

// consecutive returns the leading events of a batch that follow the cursor
// without a hole, stepping over holes older than Grace (see Dispatcher).
func (d *Dispatcher) consecutive(sub Subscriber, c *cursor, events []Event) []Event {
	next := c.last + 1
	i := 0
	for i < len(events) {
		id := events[i].ID
		if id == next {
			next, i = id+1, i+1
			continue
		}
		now := d.now()
		if c.hole != next {
			c.hole, c.since = next, now
		}
		if now.Sub(c.since) < d.Grace {
			break
		}
		d.log.Warn("outbox: stepping over ids never committed", "subscriber", sub.Name(), "from", next, "to", id-1, "waited", now.Sub(c.since))
		c.hole = 0
		next, i = id+1, i+1
	}
	return events[:i]
}
