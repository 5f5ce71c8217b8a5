package store

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"
)

func TestNameGrams(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"科技", nil},
		{"科技园", []string{"科技园"}},
		{" AcMe科 ", []string{"acm", "cme", "me科"}},
		{"aaaa", []string{"aaa"}},
	} {
		if got := nameGrams(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("nameGrams(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFirmNameIndexFollowsFirms checks that creating and renaming a firm
// keep its pieces, and that the queue finds the same firms with the index
// as by testing every name.
func TestFirmNameIndexFollowsFirms(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := context.Background()
	f, err := s.CreateFirm(ctx, "Acme 测试科技", firmCode(t, 7))
	if err != nil {
		t.Fatal(err)
	}
	grams := func() []string {
		var g []string
		if err := s.db.Model(&FirmNameGram{}).Where("firm_id = ?", f.ID).Order("gram").Pluck("gram", &g).Error; err != nil {
			t.Fatal(err)
		}
		return g
	}
	want := nameGrams("Acme 测试科技")
	slices.Sort(want)
	if got := grams(); !reflect.DeepEqual(got, want) {
		t.Errorf("pieces %q, want %q", got, want)
	}
	if err := s.db.Model(&Firm{ID: f.ID}).Update("name", "新名字公司").Error; err != nil {
		t.Fatal(err)
	}
	want = nameGrams("新名字公司")
	slices.Sort(want)
	if got := grams(); !reflect.DeepEqual(got, want) {
		t.Errorf("after renaming: pieces %q, want %q", got, want)
	}
	if err := s.db.Model(&Firm{}).Where("id = ?", f.ID).Update("name", "x").Error; err == nil {
		t.Error("a rename that does not name the firm's id was allowed")
	}
	// Changing another column leaves the pieces alone.
	if err := s.db.Model(&Firm{ID: f.ID}).Update("profile", "[]").Error; err != nil {
		t.Fatal(err)
	}
	if got := grams(); !reflect.DeepEqual(got, want) {
		t.Errorf("after a profile change: pieces %q, want %q", got, want)
	}

	lc := seedLoad(t, s, 400)
	for _, search := range []string{"科技0004", "科技001", "BENCH", "有限公司", "0034有", "科技", "不存在的公司"} {
		for _, sort := range []QueueSort{SortWaiting, SortFirm} {
			got, err := s.ReviewQueue(ctx, lc.Auditor, QueueFilter{Firm: search, Sort: sort})
			if err != nil {
				t.Fatal(err)
			}
			f := QueueFilter{Firm: search, Sort: sort}
			waiting := []string{"submitted", "resubmitted"}
			want, err := sortedQueuePage(s.queueQuery(ctx, lc.Auditor, f, waiting, nil), f, 1)
			if err != nil {
				t.Fatal(err)
			}
			gotIDs := []uint{}
			for _, r := range got.Rows {
				gotIDs = append(gotIDs, r.ID)
			}
			if !reflect.DeepEqual(gotIDs, ids(want)) {
				t.Errorf("firm %q by %s: %v, testing every name finds %v", search, sort, gotIDs, ids(want))
			}
		}
	}
}

// TestFirmSearchIndexOnPostgres: on PostgreSQL the review queue's firm
// search (LOWER(name) LIKE '%…%') can be served by the pg_trgm index of
// migration 14. On SQLite the same search goes through firm_name_grams,
// which the other tests here check.
func TestFirmSearchIndexOnPostgres(t *testing.T) {
	s, _ := newTestStore(t)
	if s.Engine() != "postgres" {
		if err := s.db.Exec("SELECT 1 FROM firm_name_grams LIMIT 1").Error; err != nil {
			t.Fatalf("SQLite searches firms through firm_name_grams: %v", err)
		}
		return
	}
	var lines []string
	err := s.db.Transaction(func(tx *gorm.DB) error {
		// Whether the index CAN serve the search: on a tiny table the
		// planner would rather read every row.
		if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
			return err
		}
		return tx.Raw(`EXPLAIN SELECT id FROM firms WHERE LOWER(name) LIKE ? ESCAPE '\'`, "%科技有%").Scan(&lines).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if plan := strings.Join(lines, "\n"); !strings.Contains(plan, "idx_firms_name_trgm") {
		t.Errorf("the firm search does not use the trigram index: %s", plan)
	}
}
