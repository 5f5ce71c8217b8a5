package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/fault"
)

// Group commit. Every autosave used to be its own transaction, and each
// commit waits for its own fsync (synchronous=FULL): at 64 clients the
// saves queued for the one write lock and the fsyncs, not for the CPU. The
// committer instead runs the saves waiting at a moment in ONE transaction,
// each in its own savepoint, commits once (one fsync for all of them) and
// only then answers each save. Batches form by themselves: while one
// commits, the next saves queue up.
//
// A save that fails gets its own error and the others of the batch go on.
// Most failures (a version conflict, a read-only assessment, bad input)
// are found before the save writes anything: nothing to undo. A save that
// fails after it wrote, or whose statement failed (which aborts a
// PostgreSQL transaction), or that panicked, is dirty: the batch's
// transaction is rolled back and the batch runs again without it. A
// savepoint per save would undo it alone, but costs a statement per save,
// and dirty failures are rare. A failed commit fails every save of the
// batch. Nothing is acknowledged before the commit returns, so an
// acknowledged save is as durable as before, and the queue holds only
// saves nobody has been told about: no state that matters lives only in
// this process.
//
// On PostgreSQL, batches of several instances run side by side: each
// holds the write lock shared (every other writing transaction takes it
// exclusively, see writeLock), runs its saves in the order of the
// assessments they lock, and links its audit entries after the chain's
// head only at the end, just before it commits. Every batch therefore
// takes its row locks in one global order (assessments ascending, the
// audit head last) and two batches cannot deadlock: one that shares an
// assessment with another waits for it to commit. Should a batch still be
// aborted as a deadlock, it is rolled back whole and run again from the
// start (its saves read everything through the transaction, so a second
// run decides afresh), a few times with a random pause: a deadlock is
// never a save's answer, and nothing of the aborted run commits.

// saveKey orders the saves of a batch: by assessment, then by the first
// item a save changes. A save locks the rows of its items in item order, so
// batches take their row locks in one order, and two batches deadlock only
// when a save of several items overlaps another's (a whole form saved while
// a colleague autosaves one of its items), which the batch's rerun absorbs.
type saveKey struct {
	assessment uint
	item       string // the least item id the save changes
}

func (k saveKey) compare(o saveKey) int {
	return cmp.Or(cmp.Compare(k.assessment, o.assessment), cmp.Compare(k.item, o.item))
}

// maxBatch caps the saves of one transaction: it bounds the latency a save
// adds to the others of its batch and, on PostgreSQL, stays within the 64
// subtransactions a backend tracks without spilling to disk.
const maxBatch = 64

// ErrClosed is a write sent to a store that is closing or closed.
var ErrClosed = errors.New("store: the database is closed")

// writeJob is one save waiting for the committer.
type writeJob struct {
	ctx  context.Context // the request's: its values, and whether it still waits
	key  saveKey         // the rows the save locks first: a batch runs its saves in key order
	fn   func(tx *gorm.DB) error
	err  error
	done chan struct{}
}

// committer runs queued writes in shared transactions, one batch at a time.
type committer struct {
	db        *gorm.DB
	begin     func(tx *gorm.DB) error // first in every batch: the store's write lock, shared
	retryable func(error) bool        // a transaction aborted only by another (a deadlock)
	warn      func(msg string, args ...any)
	log       func(msg string, args ...any)
	notify    func()       // after a batch that recorded events has committed
	mu        sync.RWMutex // held to send: Close takes it to stop new sends
	closed    bool
	jobs      chan *writeJob
	stopped   chan struct{}
}

func newCommitter(db *gorm.DB, begin func(tx *gorm.DB) error, retryable func(error) bool, warn, log func(msg string, args ...any), notify func()) *committer {
	c := &committer{db: db, begin: begin, retryable: retryable, warn: warn, log: log, notify: notify, jobs: make(chan *writeJob, maxBatch), stopped: make(chan struct{})}
	go c.run()
	return c
}

// do runs fn inside a batch transaction and returns once that transaction
// has committed (nil) or fn's own error, or the commit's. fn must read
// everything it needs through tx, lock rows in key order (see saveKey), and
// may run more than once: a batch rolled back (a deadlock, another save's
// dirty failure) runs its saves again, and only the last run commits. ctx
// gives the write its values (the request's address for the audit log);
// its cancellation only keeps the write from starting, it never cuts a
// batch short.
func (c *committer) do(ctx context.Context, key saveKey, fn func(tx *gorm.DB) error) error {
	j := &writeJob{ctx: ctx, key: key, fn: fn, done: make(chan struct{})}
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return ErrClosed
	}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		c.mu.RUnlock()
		return ctx.Err()
	}
	c.mu.RUnlock()
	// Once queued, the job is always answered, even if the caller gave up:
	// waiting costs at most one batch, and returning early would report a
	// save as failed that may still commit.
	<-j.done
	return j.err
}

// close stops taking writes, lets the queued ones finish and waits for the
// committer to stop.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.jobs)
	}
	c.mu.Unlock()
	<-c.stopped
}

func (c *committer) run() {
	defer close(c.stopped)
	batch := make([]*writeJob, 0, maxBatch)
	for j := range c.jobs {
		batch = append(batch[:0], j)
	fill:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-c.jobs:
				if !ok {
					break fill
				}
				batch = append(batch, j)
			default:
				break fill
			}
		}
		// Stable: two saves of one assessment keep the order they came in.
		slices.SortStableFunc(batch, func(a, b *writeJob) int { return a.key.compare(b.key) })
		c.runBatch(batch)
		clear(batch)
	}
}

// errBatchBroken is a savepoint that could not be taken or rolled back: the transaction may hold part of a failed save, so none of the
// batch may commit.
var errBatchBroken = errors.New("store: batch transaction broken")

// commitWait bounds a batch's transaction, as the SQLite dialect bounds the
// wait at its write gate: reaching it means an overload or a lock held
// elsewhere, which then fails instead of hanging.
const commitWait = 60 * time.Second

// runBatch runs the jobs in one transaction and answers each of them.
func (c *committer) runBatch(batch []*writeJob) {
	// The transaction belongs to no request: one client going away must not
	// interrupt the statements of the others.
	// It still has a deadline: a statement stuck behind another process's
	// lock (a PostgreSQL row lock held by another instance) fails this
	// batch's saves instead of hanging every autosave of this instance.
	ctx, cancel := context.WithTimeout(context.Background(), commitWait)
	defer cancel()
	var tail *auditTail
	var err error
	dropped := make([]bool, len(batch)) // failed dirty: answered, not run again
	for attempt := 1; ; {
		tail = &auditTail{}
		err = c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := c.begin(tx); err != nil {
				return err
			}
			for i, j := range batch {
				if dropped[i] {
					continue
				}
				j.err = nil
				if err := j.ctx.Err(); err != nil {
					j.err = err // its client is gone: not started, nothing to undo
					continue
				}
				before := *tail
				var dirty bool
				j.err, dirty = c.runJob(tx, j, tail)
				if c.retryable(j.err) {
					return j.err
				}
				if dirty {
					dropped[i] = true
					return errDirtyJob
				}
				if j.err != nil {
					*tail = before
				}
			}
			return tail.flush(tx)
		})
		if errors.Is(err, errDirtyJob) {
			continue // bounded: each run drops one more save
		}
		if !c.retryable(err) || attempt == maxBatchRuns || ctx.Err() != nil {
			break
		}
		c.warn("store: a batch met another transaction's locks and runs again", "attempt", attempt, "saves", len(batch), "err", err)
		time.Sleep(time.Duration(1+rand.IntN(20*attempt)) * time.Millisecond)
		attempt++
	}
	for i, j := range batch {
		if err != nil && !dropped[i] && (j.err == nil || c.retryable(j.err)) {
			j.err = fmt.Errorf("store: commit saves: %w", err)
		}
		close(j.done)
	}
	if err == nil && len(tail.events) > 0 {
		c.notify()
	}
}

// errDirtyJob rolls a batch back to run it again without a save that
// failed after it wrote (runJob).
var errDirtyJob = errors.New("store: a save failed after it wrote")

// maxBatchRuns bounds how often a batch aborted by a deadlock runs again.
const maxBatchRuns = 8

// runJob runs one job in tx. dirty reports a failure that may have left
// writes in tx or aborted it: a statement that may write ran, a statement
// failed, the job panicked, or its error is not one of the refusals a save
// makes before writing (cleanFailure).
func (c *committer) runJob(tx *gorm.DB, j *writeJob, tail *auditTail) (err error, dirty bool) {
	mark := &jobMark{}
	defer func() {
		if r := recover(); r != nil {
			c.log("store: a save panicked", "panic", r, "stack", string(debug.Stack()))
			err, dirty = fmt.Errorf("store: save failed: %v", r), true
			return
		}
		dirty = err != nil && (mark.wrote || mark.failed || !cleanFailure(err))
	}()
	ctx := context.WithValue(context.WithValue(context.WithoutCancel(j.ctx), auditTailKey{}, tail), jobMarkKey{}, mark)
	return j.fn(tx.Session(&gorm.Session{NewDB: true, Context: ctx})), false
}

// cleanFailure reports whether err is a refusal that saves make before
// they write anything.
func cleanFailure(err error) bool {
	var ce *ConflictError
	var pce *PlanConflictError
	var ro *ReadOnlyError
	_, field := fault.AsField(err)
	return field || errors.As(err, &ce) || errors.As(err, &pce) || errors.As(err, &ro) ||
		errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnknownItem)
}

// jobMark records what a job's statements did (registerJobMarks).
type jobMark struct{ wrote, failed bool }

type jobMarkKey struct{}

func markOf(tx *gorm.DB) *jobMark {
	if tx.Statement == nil || tx.Statement.Context == nil {
		return nil
	}
	m, _ := tx.Statement.Context.Value(jobMarkKey{}).(*jobMark)
	return m
}

// registerJobMarks adds the GORM callbacks that fill the jobMark of a
// job's statements: every create, update, delete and raw statement other
// than a SELECT may write; a statement that ends in an error other than
// "no row" may have aborted the transaction.
func registerJobMarks(db *gorm.DB) error {
	wrote := func(tx *gorm.DB) {
		if m := markOf(tx); m != nil {
			m.wrote = true
		}
	}
	wroteUnlessSelect := func(tx *gorm.DB) {
		if m := markOf(tx); m != nil && !isSelect(tx.Statement.SQL.String()) {
			m.wrote = true
		}
	}
	failed := func(tx *gorm.DB) {
		if m := markOf(tx); m != nil && tx.Error != nil && !errors.Is(tx.Error, gorm.ErrRecordNotFound) {
			m.failed = true
		}
	}
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("gorm:create").Register("selfcheck:job_wrote", wrote),
		cb.Update().Before("gorm:update").Register("selfcheck:job_wrote", wrote),
		cb.Delete().Before("gorm:delete").Register("selfcheck:job_wrote", wrote),
		cb.Raw().Before("gorm:raw").Register("selfcheck:job_wrote", wroteUnlessSelect),
		cb.Row().Before("gorm:row").Register("selfcheck:job_wrote", wroteUnlessSelect),
		cb.Create().After("gorm:create").Register("selfcheck:job_failed", failed),
		cb.Update().After("gorm:update").Register("selfcheck:job_failed", failed),
		cb.Delete().After("gorm:delete").Register("selfcheck:job_failed", failed),
		cb.Query().After("gorm:query").Register("selfcheck:job_failed", failed),
		cb.Raw().After("gorm:raw").Register("selfcheck:job_failed", failed),
		cb.Row().After("gorm:row").Register("selfcheck:job_failed", failed),
	)
}

// isSelect reports whether the SQL text is a SELECT (a read, or a row
// lock with FOR UPDATE: neither writes).
func isSelect(sql string) bool {
	sql = strings.TrimLeft(sql, " \t\r\n(")
	return len(sql) >= 6 && strings.EqualFold(sql[:6], "select")
}
