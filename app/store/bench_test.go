package store

// Benchmarks of the auditor's read paths at campaign scale:
//
//	go test -run '^$' -bench 'Queue|Dashboard' -benchtime 50x ./app/store
//
// SELFCHECK_BENCH_ASSESSMENTS sets how many assessments the campaign holds
// (default 10,000, each of 120 items in 7 themes). The database is seeded
// once per run, through the same writeResults a submit uses, and shared by
// the benchmarks. Each reports its median ("p50-ms") besides the mean.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// benchCampaign is the seeded database the benchmarks share.
type benchCampaign struct {
	s        *Store
	auditor  *User
	admin    *User
	campaign uint
	n        int
	seeded   time.Duration
	err      error
}

var (
	benchOnce sync.Once
	benchData benchCampaign
	benchDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchData.s != nil {
		benchData.s.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchThemes are 7 checklists of 17 items, the last of 18 (120 in all), a tenth of
// them critical.
func benchThemes() []*checklist.Checklist {
	var out []*checklist.Checklist
	n := 0
	for t := 0; t < 7; t++ {
		cl := &checklist.Checklist{ID: fmt.Sprintf("bench-%d", t), Version: "1", Title: checklist.Text{ZH: fmt.Sprintf("主题%d", t), EN: fmt.Sprintf("Theme %d", t)}}
		sec := checklist.Section{ID: "s", Title: checklist.Text{ZH: "节", EN: "Section"}}
		for k := 0; k < 17+boolInt(t == 6); k++ {
			sev := checklist.High
			if n%10 == 0 {
				sev = checklist.Critical
			}
			sec.Items = append(sec.Items, checklist.Item{ID: fmt.Sprintf("b%d-%02d", t, k), Text: checklist.Text{ZH: "检查项", EN: "Item"}, Weight: 1 + n%3, Severity: sev})
			n++
		}
		cl.Sections = []checklist.Section{sec}
		out = append(out, cl)
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// seedBench builds the shared campaign: n firms, each with an assessment of
// every benchmark theme; a tenth are drafts, the rest submitted, resubmitted,
// returned or decided, with about a quarter of the answers gaps.
func seedBench(b *testing.B) *benchCampaign {
	benchOnce.Do(func() {
		d := &benchData
		d.n = 10000
		if v, err := strconv.Atoi(os.Getenv("SELFCHECK_BENCH_ASSESSMENTS")); err == nil && v > 0 {
			d.n = v
		}
		benchDir, d.err = os.MkdirTemp("", "selfcheck-bench-")
		if d.err != nil {
			return
		}
		start := time.Now()
		d.err = d.seed(filepath.Join(benchDir, "bench.db"))
		d.seeded = time.Since(start)
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	b.Logf("campaign of %d assessments × 120 items, seeded in %v", benchData.n, benchData.seeded.Round(time.Second))
	return &benchData
}

func (d *benchCampaign) seed(path string) error {
	ctx := context.Background()
	s, err := Open(ctx, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	d.s = s
	if err := s.EnsureDemo(ctx, nil); err != nil {
		return err
	}
	if d.admin, err = s.Authenticate(ctx, "admin@demo.local", DemoPassword); err != nil {
		return err
	}
	if d.auditor, err = s.Authenticate(ctx, "auditor@demo.local", DemoPassword); err != nil {
		return err
	}
	themes := benchThemes()
	var ids []string
	for _, cl := range themes {
		ids = append(ids, cl.ID)
	}
	if d.campaign, err = s.CreateCampaign(ctx, d.admin, NewCampaign{NameZH: "基准", Themes: ids, StartsOn: "2021-07-01",
		Deadline: "2021-12-31", AuditorIDs: []uint{d.auditor.ID}}); err != nil {
		return err
	}
	names := make([]string, len(themes))
	err = s.db.Transaction(func(tx *gorm.DB) error {
		for i, cl := range themes {
			if names[i], err = saveSnapshot(tx, cl); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Seeding is not what is measured: commit without waiting for the disk.
	s.db.Exec("PRAGMA synchronous = OFF")
	defer s.db.Exec("PRAGMA synchronous = FULL")
	rng := rand.New(rand.NewPCG(1, 2))
	states := []assessment.State{assessment.Draft, assessment.Submitted, assessment.Submitted, assessment.Submitted, assessment.Submitted,
		assessment.Resubmitted, assessment.Approved, assessment.Approved, assessment.ChangesRequested, assessment.Rejected}
	answers := []scoring.Answer{scoring.Compliant, scoring.Compliant, scoring.Compliant, scoring.Compliant, scoring.Compliant,
		scoring.Compliant, scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.NotApplicable}
	const batch = 500
	for lo := 0; lo < d.n; lo += batch {
		err := s.db.Transaction(func(tx *gorm.DB) error {
			for i := lo; i < min(lo+batch, d.n); i++ {
				f := Firm{Name: fmt.Sprintf("基准科技%05d有限公司", i), CreditCode: fmt.Sprintf("BENCH%013d", i), Profile: "[]"}
				if err := tx.Create(&f).Error; err != nil {
					return err
				}
				if err := tx.Exec("INSERT INTO campaign_firms (campaign_id, firm_id) VALUES (?, ?)", d.campaign, f.ID).Error; err != nil {
					return err
				}
				now := time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
				st := states[rng.IntN(len(states))]
				a := Assessment{FirmID: f.ID, State: string(st), Profile: "[]", CampaignID: &d.campaign, CreatedByID: d.admin.ID, CreatedAt: now, UpdatedAt: now}
				if st != assessment.Draft {
					a.SubmittedAt = &now
				}
				for p, cl := range themes {
					a.Themes = append(a.Themes, AssessmentTheme{Position: p, ChecklistID: cl.ID, Version: cl.Version, SnapshotSHA256: names[p]})
				}
				if err := tx.Omit("Firm", "Campaign", "Answers").Create(&a).Error; err != nil {
					return err
				}
				sh := &assessment.Sheet{ID: a.ID, State: st, Checklists: themes, Answers: map[string]assessment.Answer{}, Plans: map[string]assessment.Plan{}}
				var rows []Answer
				var plans []Plan
				for _, cl := range themes {
					for _, it := range cl.Items() {
						v := answers[rng.IntN(len(answers))]
						sh.Answers[it.ID] = assessment.Answer{Value: v}
						rows = append(rows, Answer{AssessmentID: a.ID, ItemID: it.ID, Value: string(v), Note: "已核查相关制度与系统配置。", Version: 1, UpdatedByID: d.admin.ID, UpdatedAt: now})
						if v.IsGap() {
							p := Plan{AssessmentID: a.ID, ItemID: it.ID, Measure: "完善弹窗关闭与频次控制", Owner: "产品部", Due: fmt.Sprintf("2021-%02d-%02d", 7+rng.IntN(6), 1+rng.IntN(28)),
								Status: string(assessment.PlanOpen), Version: 1, UpdatedByID: d.admin.ID, UpdatedAt: now}
							plans = append(plans, p)
							sh.Plans[it.ID] = planOf(p)
						}
					}
				}
				if err := tx.Omit("UpdatedBy").CreateInBatches(&rows, 200).Error; err != nil {
					return err
				}
				if len(plans) > 0 {
					if err := tx.Omit("UpdatedBy").CreateInBatches(&plans, 200).Error; err != nil {
						return err
					}
				}
				if st != assessment.Draft {
					if err := writeResults(tx, sh, &d.campaign, now); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.db.Exec("ANALYZE").Error
}

// timeEach runs f b.N times and reports the median besides the mean.
func timeEach(b *testing.B, f func(i int) error) {
	b.Helper()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := f(i); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
}

func BenchmarkReviewQueue(b *testing.B) {
	d := seedBench(b)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		f    QueueFilter
	}{
		{"campaign+theme", QueueFilter{CampaignID: d.campaign, Theme: "bench-3"}},
		{"grade=fail", QueueFilter{CampaignID: d.campaign, Grade: scoring.Fail}},
		{"firm-search", QueueFilter{Firm: "科技0042"}},
		{"by-score", QueueFilter{CampaignID: d.campaign, State: assessment.Submitted, Sort: SortScore}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var q Queue
			timeEach(b, func(int) (err error) {
				q, err = d.s.ReviewQueue(ctx, d.auditor, bc.f)
				return err
			})
			if q.Total == 0 || len(q.Rows) == 0 {
				b.Fatalf("the queue found nothing: %+v", q)
			}
		})
	}
}

func BenchmarkCampaignDashboard(b *testing.B) {
	d := seedBench(b)
	ctx := context.Background()
	var dash *Dashboard
	timeEach(b, func(i int) (err error) {
		dash, err = d.s.CampaignDashboard(ctx, d.auditor, d.campaign, DashboardOptions{Today: "2021-10-01", Page: 1 + i%3})
		return err
	})
	if dash.Submitted == 0 || len(dash.TopItems) == 0 || len(dash.Heat.Rows) == 0 {
		b.Fatalf("the dashboard is empty: %+v", dash)
	}
}

// BenchmarkCampaignResults streams the campaign's rows as the CSV/XLSX
// exports read them; one op is the whole campaign.
func BenchmarkCampaignResults(b *testing.B) {
	d := seedBench(b)
	ctx := context.Background()
	rows := 0
	timeEach(b, func(int) error {
		rows = 0
		return d.s.CampaignResults(ctx, d.admin, d.campaign, func(ResultRow) error { rows++; return nil })
	})
	b.ReportMetric(float64(rows), "rows")
}
