// Package audit holds the rules of the audit log's hash chain: how an entry
// is made storable and hashed, how it is linked after the last one, and how
// the chain is verified. The log is append-only: every entry carries the
// hash of the one before, and a head holds the last entry's sequence number
// and hash. The store keeps the rows, through the small interfaces here
// (Chain to append inside a transaction, Log to verify), so the rules know
// nothing of the database.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entry is one entry of the audit log. Actor is the acting account's email
// ("" for the system: the command line, start-up), or for a failed login
// the email that was tried. FirmID is the firm the event concerns.
type Entry struct {
	ID       uint
	Seq      int64
	At       time.Time
	ActorID  *uint
	Actor    string
	Role     string
	FirmID   *uint
	Action   string
	Object   string
	Detail   string
	IP       string
	PrevHash string
	Hash     string
}

// Head is the last entry's sequence number and hash (0 and "" before the first).
type Head struct {
	Seq  int64
	Hash string
}

// Bounds of the free-text fields of an entry, in characters.
const (
	MaxActor  = 254
	MaxObject = 200
	MaxDetail = 2000
	MaxIP     = 64
)

// Clip makes s storable text in every database (valid UTF-8, no NUL: a
// failed login records whatever bytes were typed) of at most n characters.
func Clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Hash is the SHA-256 (hex) of an entry's canonical encoding: a version tag
// and every recorded field, each as length:bytes, so no two different
// entries encode alike. The database id is not part of it.
func Hash(e Entry) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
		h.Write([]byte{','})
	}
	id := func(p *uint) string {
		if p == nil {
			return ""
		}
		return strconv.FormatUint(uint64(*p), 10)
	}
	field("selfcheck-audit-v1")
	field(strconv.FormatInt(e.Seq, 10))
	field(e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	field(id(e.ActorID))
	field(e.Actor)
	field(e.Role)
	field(id(e.FirmID))
	field(e.Action)
	field(e.Object)
	field(e.Detail)
	field(e.IP)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Link makes e the entry after head, recorded at at: its free text
// clipped, its sequence number and previous hash set, and hashed.
func Link(e Entry, head Head, at time.Time) Entry {
	e.ID = 0
	e.Seq = head.Seq + 1
	// PostgreSQL keeps microseconds: hash what every database gives back.
	e.At = at.UTC().Truncate(time.Microsecond)
	e.Actor = Clip(e.Actor, MaxActor)
	e.Object = Clip(e.Object, MaxObject)
	e.Detail = Clip(e.Detail, MaxDetail)
	e.IP = Clip(e.IP, MaxIP)
	e.PrevHash = head.Hash
	e.Hash = Hash(e)
	return e
}

// Chain is the stored log inside the transaction of the action an entry
// records, so that an acknowledged action always has its entry and a
// rolled-back one has none.
type Chain interface {
	// LockHead takes the head's lock (a row lock, or the engine's write
	// lock) and then reads it, so that concurrent appends are serialised
	// and the chain stays linear.
	LockHead() (Head, error)
	// Insert stores linked entries, in order.
	Insert(entries []Entry) error
	// SetHead stores the head.
	SetHead(h Head) error
}

// Tail collects the entries of one transaction and links them after the
// head only when it is flushed, just before the transaction commits: the
// head's lock, which every writer of the log waits for, is then held from
// the flush to the commit, not for the whole transaction. A group of saves
// in one transaction shares one; the zero Tail is ready. A copy taken
// before a save and put back when the save rolls back to its savepoint
// keeps the chain exactly the entries that commit.
type Tail struct {
	pending []Entry
}

// Append adds e, recorded at at, to the entries the next Flush links.
func (t *Tail) Append(e Entry, at time.Time) {
	e.At = at
	t.pending = append(t.pending, e)
}

// Flush locks the head, links the pending entries after it in the order
// they were appended, stores them and the new head. Without pending
// entries it does nothing and takes no lock.
func (t *Tail) Flush(c Chain) error {
	if len(t.pending) == 0 {
		return nil
	}
	head, err := c.LockHead()
	if err != nil {
		return err
	}
	linked := make([]Entry, len(t.pending))
	for i, e := range t.pending {
		linked[i] = Link(e, head, e.At)
		head = Head{Seq: linked[i].Seq, Hash: linked[i].Hash}
	}
	if err := c.Insert(linked); err != nil {
		return err
	}
	t.pending = nil
	return c.SetHead(head)
}

// Append adds e to the log as one append: a Tail of one entry.
func Append(c Chain, e Entry, at time.Time) error {
	var t Tail
	t.Append(e, at)
	return t.Flush(c)
}

// Problem names what verification found wrong with an entry.
type Problem string

// The problems.
const (
	Altered    Problem = "altered"
	Removed    Problem = "removed"
	OutOfOrder Problem = "out_of_order"
)

// Report is the result of Verify: OK with the number of entries, or the
// first bad entry, what is wrong with it and a sentence saying so.
type Report struct {
	OK      bool
	Entries int64 // entries found good: all of them when OK
	Seq     int64 // the first bad entry
	Problem Problem
	Detail  string
}

// Log is the stored log as verification reads it.
type Log interface {
	// Head reads the head; found is false when its row was removed.
	Head(ctx context.Context) (h Head, found bool, err error)
	// Entries reads up to limit entries with after < seq <= upTo, in seq order.
	Entries(ctx context.Context, after, upTo int64, limit int) ([]Entry, error)
	// Span reads the lowest and highest seq stored (1 and 0 when none).
	Span(ctx context.Context) (lo, hi int64, err error)
	// FirstAfter reads the lowest seq above seq.
	FirstAfter(ctx context.Context, seq int64) (int64, error)
}

// VerifyBatch is how many entries verification reads at a time.
const VerifyBatch = 1000

// window is how far from its place verification looks for the position a
// moved entry was written at.
const window = 100

// Verify walks the log in sequence order, a batch at a time, and checks
// that the sequence numbers run from 1 without a gap, that every entry's
// hash recomputes and links to the entry before, and that the head matches
// the last entry (a removed tail). It reads the head first and checks the
// entries up to it, so appends made meanwhile do not count.
func Verify(ctx context.Context, log Log) (Report, error) {
	head, found, err := log.Head(ctx)
	if err != nil {
		return Report{}, err
	}
	if !found {
		return Report{Problem: Removed, Detail: "the log's head row (the last entry's number and hash) was removed"}, nil
	}
	var prev Entry // the last entry found good; Seq 0 before the first
	bad := func(seq int64, p Problem, format string, args ...any) (Report, error) {
		good := max(0, min(seq-1, prev.Seq))
		return Report{Entries: good, Seq: seq, Problem: p, Detail: fmt.Sprintf(format, args...)}, nil
	}
	for {
		entries, err := log.Entries(ctx, prev.Seq, head.Seq, VerifyBatch)
		if err != nil {
			return Report{}, err
		}
		for _, e := range entries {
			want := prev.Seq + 1
			if e.Seq != want {
				return bad(want, Removed, "entry #%d is missing (the next one is #%d)", want, e.Seq)
			}
			if Hash(e) != e.Hash {
				if from := movedFrom(e); from != 0 {
					return bad(want, OutOfOrder, "entry #%d is out of order: it was written as entry #%d", want, from)
				}
				return bad(want, Altered, "entry #%d was altered: its content does not match its hash", want)
			}
			if e.PrevHash != prev.Hash {
				return bad(want, Altered, "entry #%d does not link to entry #%d: its previous hash differs", want, prev.Seq)
			}
			prev = e
		}
		if len(entries) < VerifyBatch {
			break
		}
	}
	switch {
	case prev.Seq < head.Seq:
		return bad(prev.Seq+1, Removed, "entries #%d to #%d are missing (removed from the end)", prev.Seq+1, head.Seq)
	case prev.Hash != head.Hash:
		return bad(prev.Seq, Altered, "entry #%d was altered: it is not the last entry the log recorded", prev.Seq)
	}
	// Entries outside 1..head were never appended: seq below 1, or above the
	// head. The highest seq is read before the head, so an append committed
	// meanwhile is covered by the head read after it.
	lo, hi, err := log.Span(ctx)
	if err != nil {
		return Report{}, err
	}
	now, found, err := log.Head(ctx)
	if err != nil {
		return Report{}, err
	}
	if !found {
		return Report{Problem: Removed, Detail: "the log's head row (the last entry's number and hash) was removed"}, nil
	}
	switch {
	case lo < 1:
		return bad(lo, Altered, "entry #%d was added outside the log: sequence numbers start at 1", lo)
	case hi > now.Seq:
		first, err := log.FirstAfter(ctx, now.Seq)
		if err != nil {
			return Report{}, err
		}
		return bad(first, Altered, "entry #%d was added outside the log: the log ends at #%d", first, now.Seq)
	}
	return Report{OK: true, Entries: prev.Seq}, nil
}

// movedFrom returns the sequence number near e.Seq under which e's content
// hashes to its stored hash (an entry moved to another place), or 0.
func movedFrom(e Entry) int64 {
	seq := e.Seq
	for d := int64(1); d <= window; d++ {
		for _, s := range []int64{seq - d, seq + d} {
			if s < 1 {
				continue
			}
			e.Seq = s
			if Hash(e) == e.Hash {
				return s
			}
		}
	}
	return 0
}
