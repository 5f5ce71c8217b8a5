package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Delivery is one notice to send over one channel, as claimed.
type Delivery struct {
	ID        int64
	Key       string // "event:user:channel", unique: the idempotency key a channel may pass on
	Channel   string
	Attempts  int // this one included
	CreatedAt time.Time
	Notice    Notice
	Email     string // the recipient's
	Name      string
	Lang      string // the recipient's language: zh or en
	// Digest, in a daily digest, are the notices it gathers (Notice is
	// then empty).
	Digest []Notice
	// Webhook, in a delivery to a webhook, is where it goes (there is no
	// recipient user then).
	Webhook *Webhook
}

// Channel sends deliveries somewhere outside (an SMTP server, a webhook).
// Send must give up when ctx ends. An error wrapped by Permanent is not
// retried; any other is, with backoff.
type Channel interface {
	Name() string
	Send(ctx context.Context, d Delivery) error
}

// permanentError is a failure that sending again cannot cure.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure not worth retrying (a rejected address).
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// DeliveryStore is what the Sender reads and writes.
type DeliveryStore interface {
	// ClaimDeliveries takes up to limit pending deliveries due at now,
	// counts an attempt on each and makes them due again only at until:
	// another worker or instance claims them again only if this one
	// died before recording the outcome. Two claims at once never take
	// the same delivery.
	ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]Delivery, error)
	// DeliverySent records a delivery as sent.
	DeliverySent(ctx context.Context, id int64, at time.Time) error
	// DeliveryFailed records a failed attempt: due again at next, or
	// failed for good when final.
	DeliveryFailed(ctx context.Context, id int64, reason string, next time.Time, final bool) error
}

// Defaults of a Sender's settings.
const (
	DefaultWorkers    = 4
	DefaultTimeout    = 30 * time.Second
	DefaultMinBackoff = time.Minute
	DefaultMaxBackoff = time.Hour
	// DefaultGiveUp is how long a delivery is retried before it is failed.
	DefaultGiveUp = 24 * time.Hour
	DefaultPoll   = 5 * time.Second
)

// Sender sends the due deliveries over their channels, in at most Workers
// sends at once, each bounded by Timeout, so that a slow or dead server
// holds back only the deliveries to it and never a page. With several
// instances each runs a Sender; ClaimDeliveries gives each delivery to one.
type Sender struct {
	Store    DeliveryStore
	Channels map[string]Channel
	Log      *slog.Logger

	Workers    int
	Timeout    time.Duration // of one send
	MinBackoff time.Duration // first wait after a failure, doubling up to MaxBackoff
	MaxBackoff time.Duration
	GiveUp     time.Duration // after this long since it was created, a failing delivery is failed
	Poll       time.Duration
	Now        func() time.Time

	wake chan struct{}
	once sync.Once
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Log == nil {
			s.Log = slog.New(slog.DiscardHandler)
		}
		if s.Workers <= 0 {
			s.Workers = DefaultWorkers
		}
		if s.Timeout <= 0 {
			s.Timeout = DefaultTimeout
		}
		if s.MinBackoff <= 0 {
			s.MinBackoff = DefaultMinBackoff
		}
		if s.MaxBackoff <= 0 {
			s.MaxBackoff = DefaultMaxBackoff
		}
		if s.GiveUp <= 0 {
			s.GiveUp = DefaultGiveUp
		}
		if s.Poll <= 0 {
			s.Poll = DefaultPoll
		}
		if s.Now == nil {
			s.Now = time.Now
		}
	})
}

// Wake makes the Sender look for due deliveries now. It never blocks.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends deliveries until ctx ends, then waits for the sends under way
// (each ends within Timeout). What was claimed and not recorded is sent
// again after the claim expires, by this instance's next start or another.
func (s *Sender) Run(ctx context.Context) {
	s.init()
	for ctx.Err() == nil {
		n, err := s.round(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Error("notify: claiming deliveries failed", "err", err)
		}
		if n == s.Workers && err == nil {
			continue // maybe more are due
		}
		t := time.NewTimer(s.Poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-s.wake:
		}
		t.Stop()
	}
}

// round claims up to Workers due deliveries, sends them side by side and
// records each outcome; it returns how many it claimed.
func (s *Sender) round(ctx context.Context) (int, error) {
	now := s.Now()
	// The claim outlasts a send and the recording of its outcome.
	ds, err := s.Store.ClaimDeliveries(ctx, now, now.Add(2*s.Timeout+time.Minute), s.Workers)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() { s.send(ctx, d) })
	}
	wg.Wait()
	return len(ds), nil
}

// send sends d once and records the outcome, even when ctx ended meanwhile.
func (s *Sender) send(ctx context.Context, d Delivery) {
	ch, ok := s.Channels[d.Channel]
	var err error
	if !ok {
		// A channel configured when the delivery was made and not now:
		// kept pending, so it goes once the channel is set up again.
		err = fmt.Errorf("channel %s is not configured", d.Channel)
	} else {
		sctx, cancel := context.WithTimeout(ctx, s.Timeout)
		err = ch.Send(sctx, d)
		cancel()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	now := s.Now()
	if err == nil {
		if rerr := s.Store.DeliverySent(rctx, d.ID, now); rerr != nil {
			// Sent, not recorded: sent again after the claim expires. A
			// channel passes d.Key on where the far side can drop a repeat.
			s.Log.Error("notify: a sent delivery could not be recorded", "delivery", d.ID, "err", rerr)
		}
		return
	}
	next := now.Add(s.backoff(d.Attempts))
	final := IsPermanent(err) || next.Sub(d.CreatedAt) > s.GiveUp
	s.Log.Warn("notify: delivery failed", "delivery", d.ID, "channel", d.Channel, "attempt", d.Attempts, "final", final, "err", err)
	if rerr := s.Store.DeliveryFailed(rctx, d.ID, err.Error(), next, final); rerr != nil {
		s.Log.Error("notify: a failed delivery could not be recorded", "delivery", d.ID, "err", rerr)
	}
}

// backoff is the wait after the attempts-th failed attempt: MinBackoff,
// doubling each time, at most MaxBackoff.
func (s *Sender) backoff(attempts int) time.Duration {
	d := s.MinBackoff
	for i := 1; i < attempts && d < s.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.MaxBackoff)
}
