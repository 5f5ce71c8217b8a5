package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"syscall"
	"time"

	"selfcheck"
	"selfcheck/app/checklist"
	"selfcheck/app/server"
	"selfcheck/app/store/loadseed"
)

// growthRows are the auditor's pages at one campaign size.
type growthRows struct {
	size             int
	queue, dashboard Row
}

// auditorPages times the review queue's first page, filtered to the
// campaign and a theme with gaps (the filter that reads the most), and the
// campaign dashboard, as the campaign's auditor, samples times each.
func (b *bench) auditorPages(ctx context.Context, lc *loadseed.LoadCampaign, samples int) (growthRows, error) {
	g := growthRows{size: lc.Assessments}
	c, err := b.session(ctx, lc.Auditor, "")
	if err != nil {
		return g, err
	}
	pages := []struct {
		name, path string
		want       *regexp.Regexp // matches when the page is whole
		dst        *Row
	}{
		{"review queue, first page, campaign + theme filter", fmt.Sprintf("/review?campaign=%d&theme=%s", lc.ID, lc.Themes[3].ID), regexp.MustCompile(`href="/assessments/\d+/review"`), &g.queue},
		{"campaign dashboard", fmt.Sprintf("/campaigns/%d/dashboard", lc.ID), regexp.MustCompile(`<svg`), &g.dashboard},
	}
	for _, p := range pages {
		get := func() error {
			body, status, err := c.get(ctx, p.path)
			if err != nil {
				return err
			}
			if status != http.StatusOK || !p.want.Match(body) {
				return fmt.Errorf("GET %s: status %d, %d bytes, without %q", p.path, status, len(body), p.want)
			}
			return nil
		}
		if err := get(); err != nil { // warm the caches as a first visitor would
			return g, err
		}
		s := &sample{}
		start := time.Now()
		for range samples {
			timed(s, get)
		}
		*p.dst = s.row(p.name, groupInt(lc.Assessments)+" assessments", time.Since(start))
		b.logErrors(p.name, s)
	}
	return g, nil
}

// childFlag makes this program serve the database and nothing else: the
// process whose start-up the startup scenario times.
const childFlag = "-serve-child"

// startup times, runs times, a new process from its start to the first
// 200 from /healthz, on the database as it is (the bench's own server is
// stopped meanwhile). It runs this program again as a server.
func (b *bench) startup(ctx context.Context, size, runs int) (Row, error) {
	self, err := os.Executable()
	if err != nil {
		return Row{}, err
	}
	s := &sample{}
	for range runs {
		addr, err := freeAddr()
		if err != nil {
			return Row{}, err
		}
		cmd := exec.CommandContext(ctx, self, childFlag, b.db, addr)
		cmd.Stderr = os.Stderr
		timed(s, func() error {
			if err := cmd.Start(); err != nil {
				return err
			}
			return waitHealthy(ctx, "http://"+addr+"/healthz", 30*time.Second)
		})
		if cmd.Process != nil {
			cmd.Process.Signal(syscall.SIGTERM)
			if err := cmd.Wait(); err != nil {
				s.fail("the server did not stop cleanly: %v", err)
			}
		}
	}
	b.logErrors("startup", s)
	return s.row("start-up to a ready /healthz", groupInt(size)+" assessments", 0), nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// waitHealthy polls url every millisecond until it answers 200.
func waitHealthy(ctx context.Context, url string, limit time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if r, err := hc.Do(req); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v", url, limit)
}

// serveChild is the child process of the startup scenario: `serve` as
// cmd/selfcheck runs it (the catalog checked, then the application opened,
// migrated and seeded), until SIGTERM.
func serveChild(db, addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	server.LimitMemory(server.DefaultMemoryLimitMiB)
	if _, _, err := checklist.Load(selfcheck.Checklists, "checklists"); err != nil {
		return err
	}
	app, err := server.Open(ctx, server.Config{DB: db, Location: time.UTC, MaxEvidence: 20 << 20,
		PublicURL: "https://selfcheck.bench", Log: quietLog()})
	if err != nil {
		return err
	}
	defer app.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: app.Handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
