package store

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"selfcheck/app/auth"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// The light reads of an autosave say what the whole sheet says, and only
// to those who may see the assessment.
func TestProgressSheetAndStoredAnswer(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	u := demoMember(t, s)
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{testChecklist()}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	firm, err := s.CreateFirm(ctx, "别家科技有限公司", firmCode(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := s.CreateUser(ctx, NewUser{Email: "stranger@other.cn", Name: "别家", Password: "password1", Role: auth.FirmMember, FirmID: &firm.ID})
	if err != nil {
		t.Fatal(err)
	}
	for step, inputs := range [][]AnswerInput{
		nil,
		{{ItemID: "t-1", Value: scoring.Partial, Note: "一半"}},
		{{ItemID: "t-2", Value: scoring.Compliant}, {ItemID: "t-1", Value: scoring.Compliant, Note: "已整改"}},
	} {
		if len(inputs) > 0 {
			if _, err := s.SaveAnswers(ctx, u, id, inputs); err != nil {
				t.Fatal(err)
			}
		}
		full, err := s.Sheet(ctx, u, id)
		if err != nil {
			t.Fatal(err)
		}
		light, err := s.ProgressSheet(ctx, u, id)
		if err != nil {
			t.Fatal(err)
		}
		want, got := full.Result(), light.Result()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("step %d: progress %+v, the whole sheet says %+v", step, got, want)
		}
		// Counted by the database, from the cached checklists or, on a
		// second instance whose cache is empty, from the progress sheet.
		for _, st := range []*Store{s, {db: s.db, dialect: s.dialect, snapshots: &snapshotCache{}, frozen: &frozenCache{}}} {
			counted, err := st.Progress(ctx, u, id)
			if err != nil {
				t.Fatal(err)
			}
			if want := full.Progress(); !reflect.DeepEqual(counted, want) {
				t.Errorf("step %d: counted progress %+v, the whole sheet says %+v", step, counted, want)
			}
		}
		for _, item := range []string{"t-1", "t-2"} {
			a, err := s.StoredAnswer(ctx, u, id, item)
			if err != nil {
				t.Fatal(err)
			}
			if w := full.Answers[item]; a.Value != w.Value || a.Note != w.Note || a.Version != w.Version {
				t.Errorf("step %d: stored answer to %s %+v, the sheet has %+v", step, item, a, w)
			}
		}
	}
	if _, err := s.ProgressSheet(ctx, stranger, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm's user read the progress: %v", err)
	}
	if _, err := s.Progress(ctx, stranger, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm's user read the counted progress: %v", err)
	}
	if _, err := s.StoredAnswer(ctx, stranger, id, "t-1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another firm's user read an answer: %v", err)
	}
}

// A seed cancelled midway leaves no connection in the pool that commits
// without syncing: SQLite's synchronous, PostgreSQL's synchronous_commit.
func TestBulkLoadRestoresDurability(t *testing.T) {
	s, _ := newTestStore(t)
	setting, off, durable := "PRAGMA synchronous", "0", "2" // OFF, FULL
	if s.Engine() == "postgres" {
		setting, off, durable = "SHOW synchronous_commit", "off", "on"
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := s.BulkLoad(ctx, func(db *gorm.DB) error {
		var mode string
		if err := db.Raw(setting).Row().Scan(&mode); err != nil || mode != off {
			t.Errorf("inside the bulk load %s = %q (%v), want %q", setting, mode, err, off)
		}
		cancel()
		return context.Canceled
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("bulk load: %v", err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	// Hold every connection the pool may open at once, so each is checked.
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range sqlDB.Stats().MaxOpenConnections {
		c, err := sqlDB.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var mode string
		err = c.QueryRowContext(context.Background(), setting).Scan(&mode)
		if err != nil || mode != durable {
			t.Errorf("a pooled connection has %s = %q (%v), want %q", setting, mode, err, durable)
		}
	}
}

// Assessments that froze the same checklists and profile share one entry
// of the cache, and the cache starts over instead of growing past its bound.
func TestFrozenCacheSharesAndIsBounded(t *testing.T) {
	c := &frozenCache{}
	a := c.put(1, "p|x", &frozen{items: map[string]bool{"i": true}})
	b := c.put(2, "p|x", &frozen{items: map[string]bool{"i": true}})
	if a != b {
		t.Error("two assessments with the same key keep two copies")
	}
	if f, ok := c.get(2); !ok || f != a {
		t.Error("assessment 2 not found")
	}
	for id := uint(3); id < maxFrozen+10; id++ {
		c.put(id, "p|x", a)
	}
	if len(c.byID) > maxFrozen {
		t.Errorf("%d assessments cached, bound %d", len(c.byID), maxFrozen)
	}
	if _, ok := c.get(1); ok {
		t.Error("the cache never started over")
	}
	var none *frozenCache
	if _, ok := none.get(1); ok || none.put(1, "k", a) != a {
		t.Error("a nil cache keeps something")
	}
}
