package audit

import (
	"context"
	"testing"
	"time"
)

// memLog is a log in memory: the chain's rules tested without a database.
type memLog struct {
	head    Head
	noHead  bool
	entries []Entry
	locks   int // LockHead calls
}

func (m *memLog) LockHead() (Head, error) { m.locks++; return m.head, nil }
func (m *memLog) Insert(es []Entry) error { m.entries = append(m.entries, es...); return nil }
func (m *memLog) SetHead(h Head) error    { m.head = h; return nil }

func (m *memLog) Head(context.Context) (Head, bool, error) { return m.head, !m.noHead, nil }
func (m *memLog) Entries(_ context.Context, after, upTo int64, limit int) ([]Entry, error) {
	var out []Entry
	for _, e := range m.entries {
		if e.Seq > after && e.Seq <= upTo && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}
func (m *memLog) Span(context.Context) (int64, int64, error) {
	lo, hi := int64(1), int64(0)
	for i, e := range m.entries {
		if i == 0 || e.Seq < lo {
			lo = e.Seq
		}
		hi = max(hi, e.Seq)
	}
	return lo, hi, nil
}
func (m *memLog) FirstAfter(_ context.Context, seq int64) (int64, error) {
	first := int64(0)
	for _, e := range m.entries {
		if e.Seq > seq && (first == 0 || e.Seq < first) {
			first = e.Seq
		}
	}
	return first, nil
}

func filled(t *testing.T, n int) *memLog {
	t.Helper()
	m := &memLog{}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var tail Tail
	for i := range n {
		tail.Append(Entry{Action: "login", Actor: "a@x.cn", Detail: string(rune('a' + i))}, at)
	}
	if err := tail.Flush(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestVerify(t *testing.T) {
	for _, c := range []struct {
		name    string
		tamper  func(m *memLog)
		seq     int64
		problem Problem
	}{
		{"intact", func(*memLog) {}, 0, ""},
		{"altered", func(m *memLog) { m.entries[2].Detail = "x" }, 3, Altered},
		{"removed", func(m *memLog) { m.entries = append(m.entries[:1], m.entries[2:]...) }, 2, Removed},
		{"tail removed", func(m *memLog) { m.entries = m.entries[:3] }, 4, Removed},
		{"head removed", func(m *memLog) { m.noHead = true }, 0, Removed},
		{"swapped", func(m *memLog) {
			m.entries[1], m.entries[2] = m.entries[2], m.entries[1]
			m.entries[1].Seq, m.entries[2].Seq = 2, 3
		}, 2, OutOfOrder},
		{"added after the head", func(m *memLog) { m.entries = append(m.entries, Entry{Seq: 9}) }, 9, Altered},
	} {
		m := filled(t, 5)
		c.tamper(m)
		r, err := Verify(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if r.OK != (c.problem == "") || r.Seq != c.seq || r.Problem != c.problem {
			t.Errorf("%s: %+v, want #%d %q", c.name, r, c.seq, c.problem)
		}
	}
}

// Append links each entry to the one before and the head to the last.
func TestAppendLinks(t *testing.T) {
	m := filled(t, 3)
	if err := Append(m, Entry{Action: "logout"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	for i, e := range m.entries {
		if e.Seq != int64(i+1) || Hash(e) != e.Hash || (i > 0 && e.PrevHash != m.entries[i-1].Hash) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	if last := m.entries[len(m.entries)-1]; m.head != (Head{Seq: last.Seq, Hash: last.Hash}) {
		t.Errorf("head %+v", m.head)
	}
}

// A tail takes the head's lock once, at its flush, and a copy put back
// after a save rolled back leaves that save's entries out of the chain.
func TestTailLinksAtFlush(t *testing.T) {
	m := filled(t, 2)
	m.locks = 0
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	var tail Tail
	tail.Append(Entry{Action: "answer_changed", Object: "kept 1"}, at)
	before := tail
	tail.Append(Entry{Action: "answer_changed", Object: "rolled back"}, at)
	tail = before
	tail.Append(Entry{Action: "answer_changed", Object: "kept 2"}, at)
	if m.locks != 0 || len(m.entries) != 2 {
		t.Fatalf("before the flush: %d locks, %d entries; want the head untouched", m.locks, len(m.entries))
	}
	if err := tail.Flush(m); err != nil {
		t.Fatal(err)
	}
	if err := tail.Flush(m); err != nil {
		t.Fatal(err)
	}
	if m.locks != 1 {
		t.Errorf("the head was locked %d times, want once", m.locks)
	}
	var objects []string
	for _, e := range m.entries[2:] {
		objects = append(objects, e.Object)
	}
	if len(objects) != 2 || objects[0] != "kept 1" || objects[1] != "kept 2" {
		t.Errorf("entries after the flush: %q, want kept 1 and kept 2", objects)
	}
	if r, err := Verify(context.Background(), m); err != nil || !r.OK || r.Entries != 4 {
		t.Errorf("verify: %+v, %v", r, err)
	}
}
