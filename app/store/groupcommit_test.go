package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// groupFixture is a store with one 20-item assessment of the demo firm.
func groupFixture(t *testing.T) (*Store, string, *User, uint) {
	t.Helper()
	s, path := newTestStore(t)
	u := demoMember(t, s)
	cl := &checklist.Checklist{ID: "g", Version: "1", Title: checklist.Text{ZH: "组"}}
	sec := checklist.Section{ID: "s", Title: checklist.Text{ZH: "节"}}
	for i := range 20 {
		sec.Items = append(sec.Items, checklist.Item{ID: fmt.Sprintf("g-%02d", i), Text: checklist.Text{ZH: "项"}, Weight: 1, Severity: checklist.High})
	}
	cl.Sections = []checklist.Section{sec}
	id, err := s.CreateAssessment(context.Background(), u, []*checklist.Checklist{cl}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s, path, u, id
}

// Concurrent saves share batches, and every acknowledged one is in the
// file, with its history rows and audit entry, and the chain verifies.
func TestGroupCommitConcurrentSavesAreDurable(t *testing.T) {
	s, path, u, id := groupFixture(t)
	ctx := context.Background()
	const workers, each = 32, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				item := fmt.Sprintf("g-%02d", w%20)
				in := AnswerInput{ItemID: item, Value: scoring.Partial, Note: fmt.Sprintf("w%d k%d", w, k)}
				if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{in}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Reopened from the file: what was acknowledged is there.
	s2, err := Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var notes, entries int64
	s2.db.Model(&Change{}).Where("assessment_id = ? AND field = ?", id, "note").Count(&notes)
	s2.db.Model(&AuditEvent{}).Where("action = ?", AuditAnswerChanged).Count(&entries)
	if notes != workers*each || entries != workers*each {
		t.Errorf("%d note changes and %d audit entries, want %d of each", notes, entries, workers*each)
	}
	var versions int64
	s2.db.Model(&Answer{}).Where("assessment_id = ?", id).Select("COALESCE(SUM(version), 0)").Scan(&versions)
	if versions != workers*each {
		t.Errorf("versions add up to %d, want %d", versions, workers*each)
	}
	r, err := s2.VerifyAudit(ctx)
	if err != nil || !r.OK {
		t.Errorf("audit chain: %+v %v", r, err)
	}
}

// runBatchOf runs fns as one batch, as the committer does with saves that
// arrive together, and returns each one's error.
func runBatchOf(s *Store, ctxs []context.Context, fns []func(tx *gorm.DB) error) []error {
	jobs := make([]*writeJob, len(fns))
	for i, fn := range fns {
		jobs[i] = &writeJob{ctx: ctxs[i], fn: fn, done: make(chan struct{})}
	}
	s.commits.runBatch(jobs)
	out := make([]error, len(jobs))
	for i, j := range jobs {
		<-j.done
		out[i] = j.err
	}
	return out
}

// One save of a batch that fails (a stale version, a panic, a cancelled
// request) is rolled back alone: the others commit, with their history and
// audit entries, and the chain holds exactly theirs.
func TestGroupCommitFailingSaveFailsAlone(t *testing.T) {
	s, _, u, id := groupFixture(t)
	ctx := context.Background()
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "g-01", Value: scoring.Compliant, Note: "first"}}); err != nil {
		t.Fatal(err)
	}
	stale := 0
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	save := func(item, note string, version *int) func(tx *gorm.DB) error {
		return func(tx *gorm.DB) error {
			_, _, err := s.saveAnswers(tx, ctx, u, id, []AnswerInput{{ItemID: item, Value: scoring.Partial, Note: note, Version: version}})
			return err
		}
	}
	fns := []func(tx *gorm.DB) error{
		save("g-02", "ok before", nil),
		save("g-01", "stale", &stale), // version 0, stored is 1: conflict
		save("g-03", "ok between", nil),
		func(tx *gorm.DB) error {
			if _, _, err := s.saveAnswers(tx, ctx, u, id, []AnswerInput{{ItemID: "g-04", Value: scoring.Partial, Note: "then panics"}}); err != nil {
				return err
			}
			panic("boom")
		},
		save("g-05", "cancelled", nil),
		save("g-06", "ok after", nil),
		save("nope", "unknown item", nil),
	}
	ctxs := []context.Context{ctx, ctx, ctx, ctx, cancelled, ctx, ctx}
	errs := runBatchOf(s, ctxs, fns)
	var ce *ConflictError
	if errs[0] != nil || errs[2] != nil || errs[5] != nil {
		t.Errorf("good saves failed: %v", errs)
	}
	if !errors.As(errs[1], &ce) || ce.Current.Version != 1 {
		t.Errorf("stale save: %v %+v", errs[1], ce)
	}
	if errs[3] == nil || !errors.Is(errs[4], context.Canceled) || !errors.Is(errs[6], ErrUnknownItem) {
		t.Errorf("panic, cancelled, unknown: %v / %v / %v", errs[3], errs[4], errs[6])
	}
	sh, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	for item, want := range map[string]string{"g-01": "first", "g-02": "ok before", "g-03": "ok between", "g-04": "", "g-05": "", "g-06": "ok after"} {
		if got := sh.Answers[item].Note; got != want {
			t.Errorf("%s: note %q, want %q", item, got, want)
		}
	}
	var entries []AuditEvent
	s.db.Where("action = ?", AuditAnswerChanged).Order("seq").Find(&entries)
	var objects []string
	for _, e := range entries {
		objects = append(objects, e.Object)
	}
	want := []string{"assessment:%d item:g-01", "assessment:%d item:g-02", "assessment:%d item:g-03", "assessment:%d item:g-06"}
	if len(objects) != len(want) {
		t.Fatalf("audit entries %v", objects)
	}
	for i, w := range want {
		if objects[i] != fmt.Sprintf(w, id) {
			t.Errorf("audit entry %d is %s, want %s", i, objects[i], fmt.Sprintf(w, id))
		}
	}
	if r, err := s.VerifyAudit(ctx); err != nil || !r.OK {
		t.Errorf("audit chain: %+v %v", r, err)
	}
	// The committer still works after the panic.
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "g-07", Value: scoring.Compliant}}); err != nil {
		t.Error(err)
	}
}

// A save that fails after it wrote, or whose statement failed (which aborts
// a PostgreSQL transaction), leaves nothing behind: the batch runs again
// without it and the saves around it commit.
func TestGroupCommitDirtyFailureIsUndone(t *testing.T) {
	s, _, u, id := groupFixture(t)
	ctx := context.Background()
	save := func(item, note string) func(tx *gorm.DB) error {
		return func(tx *gorm.DB) error {
			_, _, err := s.saveAnswers(tx, ctx, u, id, []AnswerInput{{ItemID: item, Value: scoring.Partial, Note: note}})
			return err
		}
	}
	fns := []func(tx *gorm.DB) error{
		save("g-02", "ok before"),
		func(tx *gorm.DB) error {
			if err := save("g-03", "written, then refused")(tx); err != nil {
				return err
			}
			return &ConflictError{ItemID: "g-03"} // a refusal that usually comes before any write
		},
		func(tx *gorm.DB) error { return tx.Exec("SELECT no_such_column FROM answers").Error },
		save("g-04", "ok after"),
	}
	errs := runBatchOf(s, []context.Context{ctx, ctx, ctx, ctx}, fns)
	var ce *ConflictError
	if errs[0] != nil || errs[3] != nil || !errors.As(errs[1], &ce) || errs[2] == nil {
		t.Fatalf("errors %v: want nil, a conflict, a statement error, nil", errs)
	}
	sh, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	for item, want := range map[string]string{"g-02": "ok before", "g-03": "", "g-04": "ok after"} {
		if got := sh.Answers[item].Note; got != want {
			t.Errorf("%s: note %q, want %q", item, got, want)
		}
	}
	var n int64
	s.db.Model(&AuditEvent{}).Where("action = ?", AuditAnswerChanged).Count(&n)
	if n != 2 {
		t.Errorf("%d audit entries of changed answers, want 2 (g-02 and g-04)", n)
	}
	if r, err := s.VerifyAudit(ctx); err != nil || !r.OK {
		t.Errorf("audit chain: %+v %v", r, err)
	}
}

// A request cancelled while its save waits in the queue does not fail the
// saves around it, and plans go through the same batches.
func TestGroupCommitCancelledContext(t *testing.T) {
	s, _, u, id := groupFixture(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var failed sync.Map
	for w := range 16 {
		wg.Go(func() {
			c := ctx
			if w%4 == 0 {
				cc, cancel := context.WithCancel(ctx)
				cancel()
				c = cc
			}
			item := fmt.Sprintf("g-%02d", w)
			_, err := s.SaveAnswers(c, u, id, []AnswerInput{{ItemID: item, Value: scoring.NonCompliant, Note: "x"}})
			if err == nil {
				_, err = s.SavePlan(c, u, id, item, PlanInput{Measure: "改", Owner: "李", Due: "2027-01-01", Status: assessment.PlanOpen})
			}
			if err != nil {
				failed.Store(w, err)
			}
		})
	}
	wg.Wait()
	sh, err := s.Sheet(ctx, u, id)
	if err != nil {
		t.Fatal(err)
	}
	for w := range 16 {
		item := fmt.Sprintf("g-%02d", w)
		err, bad := failed.Load(w)
		switch {
		case w%4 != 0 && bad:
			t.Errorf("%s: %v", item, err)
		case w%4 != 0 && (sh.Answers[item].Version != 1 || sh.Plans[item].Version != 1):
			t.Errorf("%s: answer %+v plan %+v", item, sh.Answers[item], sh.Plans[item])
		case w%4 == 0 && bad && !errors.Is(err.(error), context.Canceled):
			t.Errorf("%s cancelled: %v", item, err)
		}
	}
	if r, err := s.VerifyAudit(ctx); err != nil || !r.OK {
		t.Errorf("audit chain: %+v %v", r, err)
	}
}

// Close lets queued saves finish and refuses later ones.
func TestGroupCommitClose(t *testing.T) {
	s, _, u, id := groupFixture(t)
	ctx := context.Background()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{{ItemID: "g-01", Value: scoring.Compliant}}); !errors.Is(err, ErrClosed) {
		t.Errorf("save after close: %v", err)
	}
}

// twoInstances is groupFixture with a second store on the same database,
// as a second instance has: its own connections and committer.
func twoInstances(t *testing.T) (a, b *Store, u *User, id uint) {
	t.Helper()
	a, path, u, id := groupFixture(t)
	b, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b, u, id
}

// Two instances (two stores on one database, each with its own committer)
// save the same items at once, each save carrying the version its client
// last saw, as autosave does: some are refused as conflicts, none is lost
// or applied over a version it did not see. Every acknowledged version of
// an item is distinct, the stored version counts them, each has its
// history row and audit entry, and the chain verifies. The first saves
// race to create rows that do not exist yet; some saves change two items
// in opposite orders, so batches can meet in opposite row orders.
func TestGroupCommitInstancesNeverLoseASave(t *testing.T) {
	a, b, u, id := twoInstances(t)
	ctx := context.Background()
	items := []string{"g-00", "g-01", "g-02", "g-03"}
	const workers, each = 16, 15
	type ack struct {
		item    string
		version int
	}
	var mu sync.Mutex
	var acks []ack
	var conflicts int
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			seen := map[string]int{}
			for k := range each {
				first, second := items[(w+k)%len(items)], items[(w+k+1)%len(items)]
				ins := []AnswerInput{{ItemID: first, Value: scoring.Partial, Note: fmt.Sprintf("w%d k%d", w, k)}}
				if w%4 == 3 { // a form of two items, in an order others do not use
					ins = append(ins, AnswerInput{ItemID: second, Value: scoring.Compliant, Note: fmt.Sprintf("w%d k%d 2", w, k)})
					ins[0], ins[1] = ins[1], ins[0]
				}
				for i := range ins {
					v := seen[ins[i].ItemID]
					ins[i].Version = &v
				}
				got, err := s.SaveAnswers(ctx, u, id, ins)
				var ce *ConflictError
				switch {
				case errors.As(err, &ce):
					seen[ce.ItemID] = ce.Current.Version
					mu.Lock()
					conflicts++
					mu.Unlock()
				case err != nil:
					errs <- err
				default:
					mu.Lock()
					for item, ans := range got {
						seen[item] = ans.Version
						acks = append(acks, ack{item, ans.Version})
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a save failed other than as a conflict: %v", err)
	}
	if len(acks) == 0 {
		t.Fatal("no save was acknowledged")
	}
	perItem := map[string]map[int]bool{}
	for _, k := range acks {
		if perItem[k.item] == nil {
			perItem[k.item] = map[int]bool{}
		}
		if perItem[k.item][k.version] {
			t.Errorf("version %d of %s was acknowledged twice: one save overwrote another", k.version, k.item)
		}
		perItem[k.item][k.version] = true
	}
	for _, item := range items {
		var stored Answer
		if err := a.db.Where("assessment_id = ? AND item_id = ?", id, item).First(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if stored.Version != len(perItem[item]) {
			t.Errorf("%s is at version %d after %d acknowledged saves", item, stored.Version, len(perItem[item]))
		}
		var notes int64
		a.db.Model(&Change{}).Where("assessment_id = ? AND item_id = ? AND field = ?", id, item, "note").Count(&notes)
		if int(notes) != len(perItem[item]) {
			t.Errorf("%s has %d note changes in its history for %d acknowledged saves", item, notes, len(perItem[item]))
		}
	}
	var entries int64
	a.db.Model(&AuditEvent{}).Where("action = ?", AuditAnswerChanged).Count(&entries)
	if int(entries) != len(acks) {
		t.Errorf("%d audit entries for %d acknowledged item saves", entries, len(acks))
	}
	if r, err := a.VerifyAudit(ctx); err != nil || !r.OK {
		t.Errorf("audit chain: %+v %v", r, err)
	}
	t.Logf("%d item saves acknowledged, %d refused as conflicts", len(acks), conflicts)
}

// Plans, as answers: two instances save the plan of one item with the
// versions they saw, and no save is applied over a version it did not see,
// including the race to create the plan's first row.
func TestGroupCommitInstancesNeverLoseAPlan(t *testing.T) {
	a, b, u, id := twoInstances(t)
	ctx := context.Background()
	const workers, each = 12, 10
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		s := []*Store{a, b}[w%2]
		wg.Go(func() {
			seen := 0
			for k := range each {
				v := seen
				p, err := s.SavePlan(ctx, u, id, "g-05", PlanInput{Measure: fmt.Sprintf("措施 w%d k%d", w, k), Owner: "张三", Due: "2030-01-01",
					Status: assessment.PlanOpen, Version: &v})
				var pe *PlanConflictError
				switch {
				case errors.As(err, &pe):
					seen = pe.Current.Version
				case err != nil:
					errs <- err
				default:
					seen = p.Version
					mu.Lock()
					if acked[p.Version] {
						errs <- fmt.Errorf("plan version %d acknowledged twice", p.Version)
					}
					acked[p.Version] = true
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var stored Plan
	if err := a.db.Where("assessment_id = ? AND item_id = ?", id, "g-05").First(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored.Version != len(acked) {
		t.Errorf("the plan is at version %d after %d acknowledged saves", stored.Version, len(acked))
	}
	var measures int64
	a.db.Model(&Change{}).Where("assessment_id = ? AND item_id = ? AND field = ?", id, "g-05", "plan.measure").Count(&measures)
	if int(measures) != len(acked) {
		t.Errorf("%d measure changes in the history for %d acknowledged saves", measures, len(acked))
	}
}
