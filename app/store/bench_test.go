package store

// Benchmarks of the auditor's read paths at campaign scale:
//
//	go test -run '^$' -bench 'Queue|Dashboard' -benchtime 30x ./app/store
//
// SELFCHECK_BENCH_ASSESSMENTS sets how many assessments the campaign holds
// (default 10,000, each of 120 items in 7 themes). The database is seeded
// once per run by the load seeder (app/store/loadseed), and shared by the
// benchmarks. Each reports its median ("p50-ms") besides the mean.

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"selfcheck/app/assessment"
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

// seedBench builds the shared campaign with the load seeder (app/store/loadseed):
// n firms, each with an assessment of the 7 load themes.
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
	b.Logf("campaign of %d assessments × 120 items, seeded in %v", benchData.n, benchData.seeded.Round(time.Millisecond))
	return &benchData
}

func (d *benchCampaign) seed(path string) error {
	ctx := context.Background()
	s, err := Open(ctx, path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	d.s = s
	lc, err := growLoad(ctx, s, d.n)
	if err != nil {
		return err
	}
	d.admin, d.auditor, d.campaign = lc.Admin, lc.Auditor, lc.ID
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
		{"default", QueueFilter{}}, // every campaign of the auditor, longest waiting first
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
