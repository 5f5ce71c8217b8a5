package web

// Benchmark of the fill-in page under concurrent readers:
//
//	go test -run '^$' -bench FillPage -benchtime 2000x ./app/web
//
// 16 goroutines load GET /assessments/:id over HTTP (httptest, a real
// SQLite file) for the demo firm's assessment of every built-in theme
// (about 120 items), each answered with a note, every gap with a plan. It
// reports the median and 99th percentile latency besides the mean.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"selfcheck"
	"selfcheck/app/assessment"
	"selfcheck/app/scoring"
	"selfcheck/app/store"
	"selfcheck/app/testenv"
)

// fillFixture serves the demo firm's assessment of every built-in theme,
// answered with notes and plans, and returns a GET of its fill-in page.
func fillFixture(b testing.TB, lang string) (get func() (time.Duration, error), body func() string) {
	return fillFixtureView(b, lang, "")
}

// fillFixtureView is fillFixture for one view of the page (?filter=,
// ?theme=; "" for the default view).
func fillFixtureView(b testing.TB, lang, query string) (get func() (time.Duration, error), body func() string) {
	env := testenv.New(b)
	s, err := New(Deps{Work: env.Work, Messages: env.Messages,
		Templates: selfcheck.Templates, Static: selfcheck.Static, Log: env.Log})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s)
	b.Cleanup(hs.Close)
	ctx := context.Background()
	u, err := env.Store.Authenticate(ctx, "firm@demo.local", store.DemoPassword)
	if err != nil {
		b.Fatal(err)
	}
	id, err := env.Store.CreateAssessment(ctx, u, env.Builtin.Checklists, store.DemoProfile, nil)
	if err != nil {
		b.Fatal(err)
	}
	sh, err := env.Store.Sheet(ctx, u, id)
	if err != nil {
		b.Fatal(err)
	}
	values := []scoring.Answer{scoring.Compliant, scoring.Partial, scoring.NonCompliant, scoring.Compliant, scoring.Unanswered}
	var inputs []store.AnswerInput
	n := 0
	for _, cl := range sh.Checklists {
		for _, it := range cl.Items() {
			v := values[n%len(values)]
			inputs = append(inputs, store.AnswerInput{ItemID: it.ID, Value: v, Note: fmt.Sprintf("第 %d 项的说明：已核查隐私政策与弹窗。", n)})
			if v.IsGap() {
				if _, err := env.Store.SavePlan(ctx, u, id, it.ID, store.PlanInput{Measure: "补充告知", Owner: "张三", Due: "2021-03-01", Status: assessment.PlanOpen}); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	}
	if _, err := env.Store.SaveAnswers(ctx, u, id, inputs); err != nil {
		b.Fatal(err)
	}
	token, err := env.Store.CreateSession(ctx, u.ID)
	if err != nil {
		b.Fatal(err)
	}
	url := fmt.Sprintf("%s/assessments/%d%s", hs.URL, id, query)
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	b.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	var last []byte
	get = func() (time.Duration, error) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: strings.Repeat("c", 43)})
		req.Header.Set("Accept-Language", lang)
		start := time.Now()
		r, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		data, err := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("status %d", r.StatusCode)
		}
		last = data
		return time.Since(start), err
	}
	b.Logf("%d items", n)
	return get, func() string { return string(last) }
}

func BenchmarkFillPage(b *testing.B) {
	get, _ := fillFixture(b, "zh-CN")
	if _, err := get(); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8) // 16 readers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			d, err := get()
			if err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, d)
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds())/1000, "p99-ms")
	}
}
