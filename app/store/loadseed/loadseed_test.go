package loadseed

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/auth"
	"selfcheck/app/store"
	"selfcheck/app/testdb"
)

func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), testdb.URL(t, "store.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// withDB runs fn on the store's database, on the bulk loader's connection,
// the one handle to the rows that the store gives outside itself.
func withDB(t *testing.T, s *store.Store, fn func(db *gorm.DB)) {
	t.Helper()
	if err := s.BulkLoad(context.Background(), func(db *gorm.DB) error { fn(db); return nil }); err != nil {
		t.Fatal(err)
	}
}

// storedResults is everything writeResults stores for one assessment.
type storedResults struct {
	Score        *float64
	Grade        string
	CriticalGaps int
	Gaps         int
	ResultsAt    *time.Time
	RectNextDue  string
	Scores       []store.AssessmentScore
	GapRows      []store.AssessmentGap
}

func readResults(t *testing.T, db *gorm.DB, id uint) storedResults {
	t.Helper()
	var a store.Assessment
	if err := db.Select("score", "grade", "critical_gaps", "gaps", "results_at", "rect_next_due").First(&a, id).Error; err != nil {
		t.Fatal(err)
	}
	r := storedResults{Score: a.Score, Grade: a.Grade, CriticalGaps: a.CriticalGaps, Gaps: a.Gaps, ResultsAt: a.ResultsAt, RectNextDue: a.RectNextDue}
	if err := db.Where("assessment_id = ?", id).Order("checklist_id").Find(&r.Scores).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("assessment_id = ?", id).Order("item_id").Find(&r.GapRows).Error; err != nil {
		t.Fatal(err)
	}
	return r
}

var errRollback = errors.New("rollback")

// TestLoadCampaignResultsAreWriteResults checks that the copied results of
// a grown campaign are what writeResults stores for each sheet: for a
// sample of assessments, the stored rows are read, writeResults rewrites
// them from the sheet in a transaction, and the two must be equal.
func TestLoadCampaignResultsAreWriteResults(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	lc, err := Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := Grow(ctx, s, lc, 1000); err != nil {
		t.Fatal(err)
	}
	if lc.Assessments != 1000 {
		t.Fatalf("Assessments = %d, want 1000", lc.Assessments)
	}
	withDB(t, s, func(db *gorm.DB) { checkResults(t, s, db, lc) })
}

func checkResults(t *testing.T, s *store.Store, db *gorm.DB, lc *LoadCampaign) {
	var all []store.Assessment
	if err := db.Where("campaign_id = ?", lc.ID).Order("id").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) != 1000 {
		t.Fatalf("%d assessments, want 1000", len(all))
	}
	states := map[string]int{}
	for _, a := range all {
		states[a.State]++
	}
	if d := states[string(assessment.Draft)]; d < 80 || d > 120 {
		t.Errorf("%d drafts of 1000, want about a tenth", d)
	}
	system := &store.User{Role: auth.Admin}
	checked := 0
	for i := 0; i < len(all); i += 37 { // templates and copies alike
		a := all[i]
		var n int64
		db.Model(&store.Answer{}).Where("assessment_id = ?", a.ID).Count(&n)
		if n != 120 {
			t.Errorf("assessment %d has %d answers, want 120", a.ID, n)
		}
		if a.State == string(assessment.Draft) {
			r := readResults(t, db, a.ID)
			if r.ResultsAt != nil || len(r.Scores) != 0 || len(r.GapRows) != 0 {
				t.Errorf("draft %d has results: %+v", a.ID, r)
			}
			continue
		}
		sh, err := s.Sheet(context.Background(), system, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			got := readResults(t, tx, a.ID)
			if err := store.NewBulkTx(tx).WriteResults(sh, a.CampaignID, *a.ResultsAt); err != nil {
				return err
			}
			want := readResults(t, tx, a.ID)
			if len(want.GapRows) == 0 {
				t.Errorf("assessment %d: no gaps; the mix has a quarter", a.ID)
			}
			for _, g := range want.GapRows {
				if g.PlanDue < "2021-07-01" || g.PlanDue > "2021-12-31" {
					t.Errorf("assessment %d item %s: plan due %q", a.ID, g.ItemID, g.PlanDue)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("assessment %d: stored results\n%+v\nwriteResults stores\n%+v", a.ID, got, want)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("checked %d assessments", checked)
	}
}

// loadFingerprint is what a campaign's assessments up to an id hold.
type loadFingerprint struct {
	Assessments []store.Assessment
	Scores      []store.AssessmentScore
	Gaps        []store.AssessmentGap
	Plans       []store.Plan
	Answers     []struct {
		AssessmentID uint
		Value        string
		N            int
	}
}

func fingerprint(t *testing.T, db *gorm.DB, campaignID, upTo uint) loadFingerprint {
	t.Helper()
	var f loadFingerprint
	in := db.Model(&store.Assessment{}).Select("id").Where("campaign_id = ? AND id <= ?", campaignID, upTo)
	errs := []error{
		db.Where("campaign_id = ? AND id <= ?", campaignID, upTo).Order("id").Find(&f.Assessments).Error,
		db.Where("assessment_id IN (?)", in).Order("assessment_id, checklist_id").Find(&f.Scores).Error,
		db.Where("assessment_id IN (?)", in).Order("assessment_id, item_id").Find(&f.Gaps).Error,
		db.Where("assessment_id IN (?)", in).Order("assessment_id, item_id").Find(&f.Plans).Error,
		db.Model(&store.Answer{}).Select("assessment_id, value, COUNT(*) AS n").Where("assessment_id IN (?)", in).
			Group("assessment_id, value").Order("assessment_id, value").Scan(&f.Answers).Error,
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// TestGrowLoadCampaignKeepsWhatItHas grows a campaign from 1,000 to 2,000
// assessments: the first 1,000 must not change, and the campaign's
// rollups must equal a recomputation.
func TestGrowLoadCampaignKeepsWhatItHas(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	lc, err := Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := Grow(ctx, s, lc, 1000); err != nil {
		t.Fatal(err)
	}
	var last uint
	var before loadFingerprint
	withDB(t, s, func(db *gorm.DB) {
		if err := db.Model(&store.Assessment{}).Select("MAX(id)").Where("campaign_id = ?", lc.ID).Scan(&last).Error; err != nil {
			t.Fatal(err)
		}
		before = fingerprint(t, db, lc.ID, last)
	})
	if err := Grow(ctx, s, lc, 2000); err != nil {
		t.Fatal(err)
	}
	if lc.Assessments != 2000 {
		t.Fatalf("Assessments = %d, want 2000", lc.Assessments)
	}
	var n, firms int64
	var after loadFingerprint
	withDB(t, s, func(db *gorm.DB) {
		db.Model(&store.Assessment{}).Where("campaign_id = ?", lc.ID).Count(&n)
		db.Table("campaign_firms").Where("campaign_id = ?", lc.ID).Count(&firms)
		after = fingerprint(t, db, lc.ID, last)
	})
	if n != 2000 || firms != 2000 {
		t.Fatalf("%d assessments of %d firms, want 2000 of 2000", n, firms)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatal("growing the campaign changed its first 1,000 assessments")
	}
	// Growing to what it holds is a no-op.
	if err := Grow(ctx, s, lc, 1500); err != nil || lc.Assessments != 2000 {
		t.Fatalf("Grow(1500) = %v, Assessments %d", err, lc.Assessments)
	}
}
