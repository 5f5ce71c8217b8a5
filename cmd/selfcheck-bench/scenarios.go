package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"selfcheck/app/scoring"
	"selfcheck/app/store"
)

// runFor runs work on n workers until d has passed, each worker calling
// it again as soon as it returns, and returns the time taken. Requests
// under way at the deadline finish and count.
func runFor(n int, d time.Duration, work func(worker, seq int)) time.Duration {
	cpuStart := cpuTime()
	defer func() { lastCPU = cpuTime() - cpuStart }()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for seq := 0; time.Now().Before(deadline); seq++ {
				work(w, seq)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// runOnce runs work once on each of n workers at the same time.
func runOnce(n int, work func(worker int)) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() { work(w) })
	}
	wg.Wait()
}

// lastCPU is the CPU time (user and system, all threads of this process:
// server and clients) the last runFor took. Unlike throughput it hardly
// changes when other work shares the machine, so it compares runs.
var lastCPU time.Duration

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuPerOp is lastCPU shared out over the requests of r, failed ones
// included, as a figure.
func cpuPerOp(r Row, elapsed time.Duration) string {
	n := r.Throughput*elapsed.Seconds() + float64(r.Errors)
	if n < 1 || lastCPU <= 0 {
		return ""
	}
	return fmt.Sprintf("%.2f ms CPU/op", float64(lastCPU.Microseconds())/1000/n)
}

// timed calls f and records its time in s, or its error.
func timed(s *sample, f func() error) {
	start := time.Now()
	err := f()
	took := time.Since(start)
	if err != nil {
		s.fail("%v", err)
		return
	}
	s.add(took)
}

// saveValues are the answers autosave cycles through; every save also
// carries a new note, so every save is a change with history and audit rows.
var saveValues = []string{"compliant", "partial", "compliant", "non_compliant", "na"}

// autosave is the scenario of issue 8's first row: clients colleagues of
// the same firms (four to an assessment, each on its own quarter of the
// items, as a team splits the work), each in its own browser session,
// saving answers through the autosave route with the version they last
// saw. Any answer but 200 is an error: the clients never race for an item.
//
// With instances > 1 (PostgreSQL: the deployment shape of several
// instances behind a load balancer) the bench's own server is joined by
// instances-1 more on the same database, each its own store, connection
// pool and committer on its own loopback port, and client k talks to
// instance k mod instances, as round-robin would place them: colleagues
// of one assessment save through different instances.
func (b *bench) autosave(ctx context.Context, fx *fixture, clients, instances int, d time.Duration) (Row, error) {
	bases := []string{b.base}
	for range instances - 1 {
		app, hs, base, err := serveInstance(ctx, b.db, false, b.log)
		if err != nil {
			return Row{}, fmt.Errorf("start another instance: %w", err)
		}
		defer stopInstance(app, hs)
		bases = append(bases, base)
	}
	type worker struct {
		c     *client
		f     firm
		items []string
		known map[string]int
	}
	workers := make([]*worker, clients)
	for k := range clients {
		f := fx.firms[(k/4)%len(fx.firms)]
		slot := k % 4
		c, err := b.sessionAt(ctx, bases[k%len(bases)], f.users[slot%len(f.users)], fmt.Sprintf("/assessments/%d", f.assessment))
		if err != nil {
			return Row{}, err
		}
		w := &worker{c: c, f: f, known: map[string]int{}}
		for i, it := range f.items {
			if i%4 == slot {
				w.items = append(w.items, it)
			}
		}
		workers[k] = w
	}
	// Versions as the clients find them: read once, then each client
	// follows its own saves.
	for _, w := range workers {
		sh, err := b.store().Sheet(ctx, w.f.users[0], w.f.assessment)
		if err != nil {
			return Row{}, err
		}
		for _, it := range w.items {
			w.known[it] = sh.Answers[it].Version
		}
	}
	save := func(k, seq int, note string) error {
		w := workers[k]
		item := w.items[seq%len(w.items)]
		form := url.Values{"answer": {saveValues[seq%len(saveValues)]}, "note": {fmt.Sprintf(note, k, seq)},
			"version": {strconv.Itoa(w.known[item])}}
		body, status, err := w.c.postForm(ctx, fmt.Sprintf("/assessments/%d/answers/%s", w.f.assessment, item), form)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("save %s: status %d: %.200s", item, status, body)
		}
		var got struct{ Version int }
		if err := json.Unmarshal(body, &got); err != nil || got.Version <= w.known[item] {
			return fmt.Errorf("save %s: acknowledged version %d after %d (%v)", item, got.Version, w.known[item], err)
		}
		w.known[item] = got.Version
		return nil
	}
	// Warm-up, not timed: every client saves once, all at the same moment,
	// before the clock starts. The first save of a client opens its
	// connection, and the first saves of an instance fill its connection
	// pool and each connection's prepared statements; a service meets
	// them once after a start, not in its steady state, which the figures
	// describe. Their latency is reported apart.
	warm := &sample{}
	runOnce(clients, func(k int) {
		timed(warm, func() error { return save(k, 0, "客户端 %02d 预热保存 %d：已复核。") })
	})
	if warm.errors > 0 {
		b.logErrors("autosave warm-up", warm)
	}
	s := &sample{}
	elapsed := runFor(clients, d, func(k, seq int) {
		timed(s, func() error { return save(k, seq, "客户端 %02d 第 %06d 次保存：已复核。") })
	})
	b.logErrors("autosave", s)
	size := fmt.Sprintf("%d clients", clients)
	if instances > 1 {
		size = fmt.Sprintf("%d clients, %d instances", clients, instances)
	}
	r := s.row("autosave", size, elapsed)
	r.Figure = cpuPerOp(r, elapsed)
	if len(warm.times) > 0 {
		r.Figure += fmt.Sprintf(", warm-up save max %.0f ms", float64(slices.Max(warm.times).Microseconds())/1000)
	}
	return r, nil
}

// storageFloor performs the writes of a save (answer, history, audit
// record, durable commit) through the store in a plain loop on one
// goroutine, with no HTTP: what storage alone costs a save.
func (b *bench) storageFloor(ctx context.Context, fx *fixture, d time.Duration) (Row, error) {
	f := fx.firms[0]
	user := f.users[0]
	sh, err := b.store().Sheet(ctx, user, f.assessment)
	if err != nil {
		return Row{}, err
	}
	known := map[string]int{}
	for _, it := range f.items {
		known[it] = sh.Answers[it].Version
	}
	s := &sample{}
	elapsed := runFor(1, d, func(_, seq int) {
		item := f.items[seq%len(f.items)]
		v := known[item]
		in := store.AnswerInput{ItemID: item, Value: scoring.Answer(saveValues[seq%len(saveValues)]),
			Note: fmt.Sprintf("基线 第 %06d 次保存：已复核。", seq), Version: &v}
		timed(s, func() error {
			saved, err := b.store().SaveAnswers(ctx, user, f.assessment, []store.AnswerInput{in})
			if err != nil {
				return err
			}
			known[item] = saved[item].Version
			return nil
		})
	})
	b.logErrors("storage floor", s)
	r := s.row("autosave storage floor (store, plain loop)", "1 loop", elapsed)
	r.Figure = cpuPerOp(r, elapsed)
	return r, nil
}

// fillPage is readers browsers opening the fill-in form of a 120-item
// assessment, filled in, over and over: its view of every item
// (?filter=all), the largest, so the figure stays comparable with runs
// from before the page opened at one theme (fillViewInBrowser measures
// that default view).
func (b *bench) fillPage(ctx context.Context, fx *fixture, readers int, d time.Duration) (Row, error) {
	return b.fillView(ctx, fx, readers, d, true)
}

// fillView is fillPage for the view of every item (all) or the page as a
// member opens it, the default view: the first theme with work left, here
// (every item answered) the first theme.
func (b *bench) fillView(ctx context.Context, fx *fixture, readers int, d time.Duration, all bool) (Row, error) {
	type reader struct {
		c    *client
		path string
		last string // an item's id that shows only when the page is whole
	}
	rs := make([]reader, readers)
	for r := range readers {
		f := fx.firms[r%len(fx.firms)]
		c, err := b.session(ctx, f.users[r%len(f.users)], "")
		if err != nil {
			return Row{}, err
		}
		rs[r] = reader{c: c, path: fmt.Sprintf("/assessments/%d?filter=all", f.assessment), last: f.items[len(f.items)-1]}
		if !all {
			rs[r].path, rs[r].last = fmt.Sprintf("/assessments/%d", f.assessment), f.items[0]
		}
	}
	s := &sample{}
	elapsed := runFor(readers, d, func(r, _ int) {
		rd := rs[r]
		timed(s, func() error {
			body, status, err := rd.c.get(ctx, rd.path)
			if err != nil {
				return err
			}
			if status != http.StatusOK || !bytes.Contains(body, []byte(rd.last)) {
				return fmt.Errorf("GET %s: status %d, %d bytes, item %s shown: %v", rd.path, status, len(body), rd.last, bytes.Contains(body, []byte(rd.last)))
			}
			return nil
		})
	})
	name := "fill-in page, 120 items"
	if !all {
		name = "fill-in page as opened (default view)"
	}
	b.logErrors(name, s)
	r := s.row(name, fmt.Sprintf("%d readers", readers), elapsed)
	r.Figure = cpuPerOp(r, elapsed)
	return r, nil
}

// fillOnSQLite is fillPage on a SQLite file of its own at path, with
// firms firms seeded as setupFirms seeds them, served by an instance of
// its own: the baseline of the fill-in page on PostgreSQL, measured on
// this machine in the same run.
func (b *bench) fillOnSQLite(ctx context.Context, path string, firms, readers int, d time.Duration) (Row, error) {
	sq := &bench{db: path, log: b.log, tr: b.tr}
	if err := sq.start(ctx); err != nil {
		return Row{}, err
	}
	defer sq.stop()
	fx, err := setupFirms(ctx, sq.store(), firms, 2)
	if err != nil {
		return Row{}, err
	}
	r, err := sq.fillPage(ctx, fx, readers, d)
	r.Scenario += ", on SQLite (same run)"
	return r, err
}

func (b *bench) logErrors(scenario string, s *sample) {
	for _, e := range s.first {
		b.log.Warn("error", "scenario", scenario, "error", e)
	}
}
