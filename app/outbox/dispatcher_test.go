package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/outbox"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixture is a fresh SQLite file with two assessments of the demo firm.
type fixture struct {
	path string
	st   *store.Store
	u    *store.User
	ids  [2]uint
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{path: testdb.URL(t, "outbox.db")}
	f.open(t)
	ctx := context.Background()
	if err := f.st.EnsureDemo(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.u, err = f.st.Authenticate(ctx, "firm@demo.local", store.DemoPassword); err != nil {
		t.Fatal(err)
	}
	cl := &checklist.Checklist{ID: "o", Version: "1", Title: checklist.Text{ZH: "事件"}}
	sec := checklist.Section{ID: "s", Title: checklist.Text{ZH: "节"}}
	for i := range 10 {
		sec.Items = append(sec.Items, checklist.Item{ID: fmt.Sprintf("o-%d", i), Text: checklist.Text{ZH: "项"}, Weight: 1, Severity: checklist.High})
	}
	cl.Sections = []checklist.Section{sec}
	for i := range f.ids {
		if f.ids[i], err = f.st.CreateAssessment(ctx, f.u, []*checklist.Checklist{cl}, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) open(t *testing.T) {
	t.Helper()
	st, err := store.Open(context.Background(), f.path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	t.Cleanup(func() { st.Close() })
}

// save changes n notes of both assessments, alternating, from several
// goroutines, so that their saves share group-commit batches.
func (f *fixture) save(t *testing.T, n int, tag string) {
	t.Helper()
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			id := f.ids[k%2]
			in := store.AnswerInput{ItemID: fmt.Sprintf("o-%d", k%10), Value: scoring.Partial, Note: fmt.Sprintf("%s %d", tag, k)}
			if _, err := f.st.SaveAnswers(context.Background(), f.u, id, []store.AnswerInput{in}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// recorder is a subscriber that keeps what it was handed, and fails while
// fail says so.
type recorder struct {
	name string
	mu   sync.Mutex
	got  []outbox.Event
	fail func(call int) bool
	call int
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Handle(_ context.Context, evs []outbox.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.call++
	if r.fail != nil && r.fail(r.call) {
		return errors.New("subscriber down")
	}
	r.got = append(r.got, evs...)
	return nil
}

func (r *recorder) events() []outbox.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbox.Event(nil), r.got...)
}

// waitFor waits until r holds n events, or fails the test.
func waitFor(t *testing.T, r *recorder, n int) []outbox.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := r.events(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s got %d events, want %d", r.name, len(r.events()), n)
	return nil
}

// start runs d until the test ends, wired to wake on the store's commits;
// stop ends it and waits.
func start(st *store.Store, d *outbox.Dispatcher) (stop func()) {
	st.OnEventsCommitted(d.Notify)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// checkOnceInOrder checks that got is every event of the store, each once,
// in id order (so each assessment's in the order they happened).
func checkOnceInOrder(t *testing.T, st *store.Store, got []outbox.Event, after int64) {
	t.Helper()
	all, err := st.EventsAfter(context.Background(), after, 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) {
		t.Fatalf("delivered %d events, the store holds %d", len(got), len(all))
	}
	for i := range all {
		if got[i].ID != all[i].ID || got[i].Kind != all[i].Kind || got[i].AssessmentID != all[i].AssessmentID {
			t.Fatalf("delivery %d is event %+v, want %+v", i, got[i], all[i])
		}
	}
}

// The dispatcher hands every committed event to a subscriber once, in id
// order, woken by the commits themselves (the poll interval is an hour).
func TestDispatcherDeliversEveryEventOnceInOrder(t *testing.T) {
	f := newFixture(t)
	r := &recorder{name: "rec"}
	d := outbox.New(f.st, quiet, time.Hour, r)
	d.Batch = 7 // several batches
	stop := start(f.st, d)
	defer stop()
	f.save(t, 60, "a")
	got := waitFor(t, r, 62) // two assessment.created, 60 answer.saved
	f.save(t, 20, "b")
	got = waitFor(t, r, 82)
	stop()
	checkOnceInOrder(t, f.st, got, 0)
	last := map[uint]int64{}
	for _, e := range got {
		if e.ID <= last[e.AssessmentID] {
			t.Errorf("event %d of assessment %d came after %d", e.ID, e.AssessmentID, last[e.AssessmentID])
		}
		last[e.AssessmentID] = e.ID
	}
}

// A failing subscriber gets the same events again, with backoff, until it
// takes them: nothing is skipped, and a healthy subscriber beside it is not
// held back.
func TestDispatcherRetriesAFailingSubscriber(t *testing.T) {
	f := newFixture(t)
	f.save(t, 30, "a")
	flaky := &recorder{name: "flaky", fail: func(call int) bool { return call <= 3 || call%2 == 0 }}
	healthy := &recorder{name: "healthy"}
	d := outbox.New(f.st, quiet, 20*time.Millisecond, flaky, healthy)
	d.Batch, d.MinBackoff, d.MaxBackoff = 5, time.Millisecond, 20*time.Millisecond
	stop := start(f.st, d)
	defer stop()
	waitFor(t, healthy, 32)
	got := waitFor(t, flaky, 32)
	stop()
	checkOnceInOrder(t, f.st, got, 0)
	checkOnceInOrder(t, f.st, healthy.events(), 0)
	if flaky.call < 10 {
		t.Errorf("the flaky subscriber was called %d times: its failures were not retried", flaky.call)
	}
}

// The cursor is stored: a dispatcher started on the reopened database
// resumes after the last event delivered, without repeating any.
func TestDispatcherResumesAfterRestart(t *testing.T) {
	f := newFixture(t)
	r1 := &recorder{name: "feed"}
	stop := start(f.st, outbox.New(f.st, quiet, time.Hour, r1))
	f.save(t, 10, "a")
	first := waitFor(t, r1, 12)
	stop()
	// Committed while no dispatcher runs.
	f.save(t, 10, "b")
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	f.open(t)

	r2 := &recorder{name: "feed"}
	stop = start(f.st, outbox.New(f.st, quiet, time.Hour, r2))
	defer stop()
	f.save(t, 4, "c")
	got := waitFor(t, r2, 14)
	stop()
	checkOnceInOrder(t, f.st, got, first[len(first)-1].ID)
	if n, err := f.st.Cursor(context.Background(), "feed"); err != nil || n != got[len(got)-1].ID {
		t.Errorf("stored cursor %d %v, want %d", n, err, got[len(got)-1].ID)
	}
}

// The activity feed subscriber, run by the dispatcher, fills each
// assessment's feed with its events only.
func TestActivityFeedFollowsTheEvents(t *testing.T) {
	f := newFixture(t)
	d := outbox.New(f.st, quiet, time.Hour, outbox.ActivityFeed{Store: f.st})
	stop := start(f.st, d)
	defer stop()
	f.save(t, 10, "a")
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		feed, _, err := f.st.Activities(ctx, f.u, f.ids[1], 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) == 6 { // created, then 5 saves
			if feed[0].Kind != outbox.AnswerSaved || feed[5].Kind != outbox.AssessmentCreated {
				t.Errorf("feed newest first: %+v", feed)
			}
			for _, a := range feed {
				if a.AssessmentID != f.ids[1] {
					t.Errorf("activity of assessment %d in the feed of %d", a.AssessmentID, f.ids[1])
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed holds %d activities, want 6", len(feed))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Two instances' dispatchers on one database: one holds the subscriber's
// lease and delivers every event once, the other delivers nothing; when
// the holder stops, the other takes over from the stored cursor at once,
// without repeating an event.
func TestDispatcherLeaseOneInstanceDelivers(t *testing.T) {
	f := newFixture(t)
	r1, r2 := &recorder{name: "feed"}, &recorder{name: "feed"}
	d1 := outbox.New(f.st, quiet, 10*time.Millisecond, r1)
	stop1 := start(f.st, d1)
	f.save(t, 10, "a")
	first := waitFor(t, r1, 12)
	d2 := outbox.New(f.st, quiet, 10*time.Millisecond, r2)
	stop2 := start(f.st, d2)
	defer stop2()
	f.save(t, 5, "b")
	first = waitFor(t, r1, len(first)+5)
	time.Sleep(50 * time.Millisecond) // several polls of the second
	if got := r2.events(); len(got) != 0 {
		t.Fatalf("the instance without the lease delivered %d events", len(got))
	}
	stop1()
	f.save(t, 3, "c")
	second := waitFor(t, r2, 3)
	checkOnceInOrder(t, f.st, append(first, second...), 0)
}
