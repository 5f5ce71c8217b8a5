package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Row is one line of the result: a scenario at one size. The JSON names
// are the ones docs/BENCHMARKS.md documents; Figure carries what a row
// measures besides time (a PDF's size, the peak RSS).
type Row struct {
	Scenario      string   `json:"scenario"`
	Size          string   `json:"size"`
	Throughput    float64  `json:"throughput_per_s"`
	P50           float64  `json:"p50_ms"`
	P99           float64  `json:"p99_ms"`
	Errors        int      `json:"errors"`
	BaselineRatio *float64 `json:"baseline_ratio"`
	Figure        string   `json:"figure,omitempty"`
	Target        string   `json:"target"`
	TargetMet     bool     `json:"target_met"`
	// Why says which part of the target was missed, when one was.
	Why string `json:"why,omitempty"`
}

// check collects the parts of a target a row misses.
type check struct{ missed []string }

// want records a missed part of the target unless ok.
func (c *check) want(ok bool, format string, args ...any) {
	if !ok {
		c.missed = append(c.missed, fmt.Sprintf(format, args...))
	}
}

// judge sets the row's verdict from the checks made.
func (c *check) judge(r *Row) {
	r.TargetMet = len(c.missed) == 0
	r.Why = strings.Join(c.missed, "; ")
}

// sample gathers latencies and errors from concurrent workers.
type sample struct {
	mu     sync.Mutex
	times  []time.Duration
	errors int
	first  []string // the first few error messages, for the log
}

func (s *sample) add(d time.Duration) {
	s.mu.Lock()
	s.times = append(s.times, d)
	s.mu.Unlock()
}

func (s *sample) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errors++
	if len(s.first) < 5 {
		s.first = append(s.first, fmt.Sprintf(format, args...))
	}
}

// quantile is the q-quantile (nearest rank) of the sorted durations, in ms.
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i].Microseconds()) / 1000
}

// row fills the timing columns from the sample taken over elapsed.
func (s *sample) row(scenario, size string, elapsed time.Duration) Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	slices.Sort(s.times)
	r := Row{Scenario: scenario, Size: size, Errors: s.errors, P50: quantile(s.times, 0.50), P99: quantile(s.times, 0.99)}
	if elapsed > 0 {
		r.Throughput = float64(len(s.times)) / elapsed.Seconds()
	}
	return r
}

func ratio(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	v = math.Round(v*1000) / 1000
	return &v
}

// printTable writes the rows as an aligned table.
func printTable(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tSIZE\tPER S\tP50 MS\tP99 MS\tERRORS\tRATIO\tFIGURE\tTARGET\tMET")
	for _, r := range rows {
		met := "yes"
		if !r.TargetMet {
			met = "NO: " + r.Why
		}
		rat := "—"
		if r.BaselineRatio != nil {
			rat = fmt.Sprintf("%.2f", *r.BaselineRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", r.Scenario, r.Size, num(r.Throughput, 0),
			num(r.P50, 1), num(r.P99, 1), r.Errors, rat, dash(r.Figure), r.Target, met)
	}
	tw.Flush()
}

func num(v float64, prec int) string {
	if math.IsNaN(v) || v == 0 {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// writeJSON writes the rows to path, NaN figures as 0.
func writeJSON(path string, rows []Row) error {
	clean := make([]Row, len(rows))
	for i, r := range rows {
		for _, f := range []*float64{&r.Throughput, &r.P50, &r.P99} {
			if math.IsNaN(*f) {
				*f = 0
			}
		}
		clean[i] = r
	}
	b, err := json.MarshalIndent(clean, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// groupInt writes n with thousands separators: 100,000.
func groupInt(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
