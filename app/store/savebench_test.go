package store

// Benchmarks of the autosave path below HTTP:
//
//	go test -run '^$' -bench 'SaveAnswers' -benchtime 3s ./app/store
//
// BenchmarkSaveAnswersLoop is the storage floor: one goroutine saving one
// answer after another, each waiting for its own commit (a batch of one).
// BenchmarkSaveAnswersParallel saves from 64 goroutines at once, as the
// load test's clients do, so the group committer batches them. Both save
// on a real SQLite file (WAL, synchronous=FULL) and report saves/s.

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"selfcheck/app/checklist"
	"selfcheck/app/scoring"
)

// benchSaveSetup opens a store with one assessment of n items and returns
// its member, the assessment and the item ids.
func benchSaveSetup(b *testing.B, n int) (*Store, *User, uint, []string) {
	b.Helper()
	s, _ := newTestStore(b)
	ctx := context.Background()
	u := demoMember(b, s)
	cl := &checklist.Checklist{ID: "bench-save", Version: "1", Title: checklist.Text{ZH: "保存"}}
	sec := checklist.Section{ID: "s", Title: checklist.Text{ZH: "节"}}
	var items []string
	for i := range n {
		id := fmt.Sprintf("bs-%03d", i)
		items = append(items, id)
		sec.Items = append(sec.Items, checklist.Item{ID: id, Text: checklist.Text{ZH: "检查项"}, Weight: 1, Severity: checklist.High})
	}
	cl.Sections = []checklist.Section{sec}
	id, err := s.CreateAssessment(ctx, u, []*checklist.Checklist{cl}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s, u, id, items
}

func BenchmarkSaveAnswersLoop(b *testing.B) {
	s, u, id, items := benchSaveSetup(b, 120)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		in := AnswerInput{ItemID: items[i%len(items)], Value: scoring.Compliant, Note: fmt.Sprintf("note %d", i)}
		if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{in}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "saves/s")
}

func BenchmarkSaveAnswersParallel(b *testing.B) {
	s, u, id, items := benchSaveSetup(b, 120)
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(32) // 64 goroutines on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := AnswerInput{ItemID: items[int(i)%len(items)], Value: scoring.Compliant, Note: fmt.Sprintf("note %d", i)}
			if _, err := s.SaveAnswers(ctx, u, id, []AnswerInput{in}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "saves/s")
}
