package outbox

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// memStore is an outbox.Store whose events are added by the test in any
// order, as transactions that took their ids from a sequence may commit.
type memStore struct {
	mu      sync.Mutex
	events  map[int64]Event
	cursors map[string]int64
	leases  map[string]memLease
}

type memLease struct {
	holder string
	until  time.Time
}

func (m *memStore) Lease(_ context.Context, name, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.leases == nil {
		m.leases = map[string]memLease{}
	}
	if l, ok := m.leases[name]; ok && l.holder != holder && !l.until.Before(now) {
		return false, nil
	}
	m.leases[name] = memLease{holder, until}
	return true, nil
}

func (m *memStore) commit(ids ...int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		m.events[id] = Event{ID: id, Kind: AnswerSaved, AssessmentID: 1}
	}
}

func (m *memStore) EventsAfter(_ context.Context, after int64, limit int) ([]Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Event
	for _, e := range m.events {
		if e.ID > after {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b Event) int { return int(a.ID - b.ID) })
	return out[:min(len(out), limit)], nil
}

func (m *memStore) Cursor(_ context.Context, name string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursors[name], nil
}

func (m *memStore) SetCursor(_ context.Context, name string, id int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cursors[name] = max(m.cursors[name], id)
	return nil
}

type ids struct{ got []int64 }

func (*ids) Name() string { return "ids" }

func (s *ids) Handle(_ context.Context, evs []Event) error {
	for _, e := range evs {
		s.got = append(s.got, e.ID)
	}
	return nil
}

// The hole rule, step by step with a fake clock: the cursor moves only
// over consecutive ids; a late commit that fills a hole is delivered in
// order; a hole still open after Grace is stepped over.
func TestDispatcherWaitsOnHolesThenStepsOverOldOnes(t *testing.T) {
	st := &memStore{events: map[int64]Event{}, cursors: map[string]int64{}}
	sub := &ids{}
	d := New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Hour, sub)
	d.Grace = time.Minute
	now := time.Unix(1_700_000_000, 0)
	d.now = func() time.Time { return now }
	ctx := context.Background()
	var c cursor
	step := func(want ...int64) {
		t.Helper()
		sub.got = nil
		if _, err := d.step(ctx, sub, &c); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sub.got, want) {
			t.Fatalf("delivered %v, want %v", sub.got, want)
		}
	}

	st.commit(1, 2, 4, 5) // 3 took its id and has not committed yet
	step(1, 2)
	now = now.Add(30 * time.Second)
	step() // 3 still pending within the grace period
	st.commit(3)
	step(3, 4, 5) // the late commit, in order
	if c.last != 5 || st.cursors["ids"] != 5 {
		t.Fatalf("cursor %d, stored %d, want 5", c.last, st.cursors["ids"])
	}

	st.commit(7, 8) // 6 rolled back: its id never commits
	step()
	now = now.Add(59 * time.Second)
	step()
	now = now.Add(2 * time.Second)
	step(7, 8) // older than Grace: stepped over
	st.commit(9, 11)
	step(9) // a new hole (10) waits again from now
	now = now.Add(30 * time.Second)
	step()
	if c.last != 9 {
		t.Fatalf("cursor %d, want 9", c.last)
	}
}
