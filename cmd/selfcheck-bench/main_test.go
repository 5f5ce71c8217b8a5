package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	t.Setenv(dbEnv, "") // the defaults below are without it
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		check   func(t *testing.T, o options)
	}{
		{name: "defaults are the issue's sizes", check: func(t *testing.T, o options) {
			if got := o.sizes; len(got) != 3 || got[0] != 1000 || got[1] != 10000 || got[2] != 100000 {
				t.Errorf("sizes %v", got)
			}
			if o.clients != 64 || o.readers != 16 || o.pdfParallel != 4 || o.saveFor != 20*time.Second {
				t.Errorf("clients %d, readers %d, pdf at once %d, save for %v", o.clients, o.readers, o.pdfParallel, o.saveFor)
			}
		}},
		{name: "quick shrinks everything", args: []string{"--quick"}, check: func(t *testing.T, o options) {
			if o.sizes[len(o.sizes)-1] > 5000 || o.saveFor > 5*time.Second || o.startupSize != 3000 {
				t.Errorf("quick run too big: sizes %v, save for %v", o.sizes, o.saveFor)
			}
		}},
		{name: "quick keeps a flag given", args: []string{"--quick", "--clients", "8"}, check: func(t *testing.T, o options) {
			if o.clients != 8 {
				t.Errorf("clients %d, want 8", o.clients)
			}
		}},
		{name: "only", args: []string{"--only", "pdf, growth"}, check: func(t *testing.T, o options) {
			if !o.runs("pdf") || !o.runs("growth") || o.runs("autosave") {
				t.Errorf("only %v", o.only)
			}
		}},
		{name: "sqlite by default", check: func(t *testing.T, o options) {
			if o.db != "" || o.postgres() {
				t.Errorf("db %q", o.db)
			}
		}},
		{name: "postgres", args: []string{"--db", "postgres://u@h:5432/postgres"}, check: func(t *testing.T, o options) {
			if !o.postgres() {
				t.Errorf("db %q is not PostgreSQL", o.db)
			}
		}},
		{name: "db must be postgres", args: []string{"--db", "some.db"}, wantErr: "give a postgres:// URL"},
		{name: "sizes must grow", args: []string{"--sizes", "10,5", "--startup-size", "5"}, wantErr: "does not grow"},
		{name: "sizes must be numbers", args: []string{"--sizes", "10,ten"}, wantErr: `"ten" is not a positive whole number`},
		{name: "startup size among sizes", args: []string{"--sizes", "10,20"}, wantErr: "--startup-size 10000 is not one of --sizes"},
		{name: "unknown scenario", args: []string{"--only", "fly"}, wantErr: `unknown scenario "fly"`},
		{name: "no clients", args: []string{"--clients", "0"}, wantErr: "must be at least 1"},
		{name: "stray argument", args: []string{"now"}, wantErr: `unexpected argument "now"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseOptions(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, o)
		})
	}
}

// SELFCHECK_BENCH_DB is --db's default.
func TestDBFromEnv(t *testing.T) {
	t.Setenv(dbEnv, "postgresql://u@h/db")
	o, err := parseOptions(nil, io.Discard)
	if err != nil || o.db != "postgresql://u@h/db" {
		t.Fatalf("db %q, %v", o.db, err)
	}
	o, err = parseOptions([]string{"--db", "postgres://other/db"}, io.Discard)
	if err != nil || o.db != "postgres://other/db" {
		t.Fatalf("--db should win over %s: %q, %v", dbEnv, o.db, err)
	}
}

func TestQuantile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	for _, tc := range []struct {
		name string
		d    []time.Duration
		q    float64
		want float64
	}{
		{"median of odd", ms(1, 2, 3), 0.5, 2},
		{"median of even is the lower", ms(1, 2, 3, 4), 0.5, 2},
		{"p99 of 100 is the 99th", ms(hundred...), 0.99, 99},
		{"p99 of 3 is the largest", ms(1, 2, 30), 0.99, 30},
		{"one", ms(7), 0.99, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := quantile(tc.d, tc.q); got != tc.want {
				t.Errorf("quantile %v = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
	if !math.IsNaN(quantile(nil, 0.5)) {
		t.Error("the quantile of nothing should be NaN, not a number that looks measured")
	}
}

func TestSampleRowAndVerdict(t *testing.T) {
	s := &sample{}
	for i := 1; i <= 10; i++ {
		s.add(time.Duration(i) * time.Millisecond)
	}
	s.fail("boom %d", 1)
	r := s.row("x", "1", 2*time.Second)
	if r.Throughput != 5 || r.P50 != 5 || r.P99 != 10 || r.Errors != 1 {
		t.Fatalf("row %+v", r)
	}
	var c check
	c.want(r.P50 <= 4, "p50 %.1f ms > 4", r.P50)
	c.want(r.Errors == 0, "%d errors", r.Errors)
	c.judge(&r)
	if r.TargetMet || r.Why != "p50 5.0 ms > 4; 1 errors" {
		t.Errorf("verdict %v %q", r.TargetMet, r.Why)
	}
	c = check{}
	c.want(true, "never")
	c.judge(&r)
	if !r.TargetMet || r.Why != "" {
		t.Errorf("verdict %v %q", r.TargetMet, r.Why)
	}
}

// The JSON has the fields docs/BENCHMARKS.md names, with null for a row
// without a baseline and no NaN (which JSON cannot carry).
func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	rows := []Row{
		{Scenario: "a", Size: "1", Throughput: 10, P50: 1, P99: 2, BaselineRatio: ratio(0.5), Target: "t", TargetMet: true},
		{Scenario: "b", Size: "2", P50: math.NaN(), P99: math.NaN(), Target: "t"},
	}
	if err := writeJSON(path, rows); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	for _, k := range []string{"scenario", "size", "throughput_per_s", "p50_ms", "p99_ms", "errors", "baseline_ratio", "target", "target_met"} {
		if _, ok := got[0][k]; !ok {
			t.Errorf("field %s missing: %v", k, got[0])
		}
	}
	if got[0]["baseline_ratio"] != 0.5 || got[1]["baseline_ratio"] != nil || got[1]["p50_ms"] != 0.0 {
		t.Errorf("rows %v", got)
	}
}

func TestGroupInt(t *testing.T) {
	for n, want := range map[int]string{7: "7", 1000: "1,000", 100000: "100,000", 1234567: "1,234,567"} {
		if got := groupInt(n); got != want {
			t.Errorf("groupInt(%d) = %q, want %q", n, got, want)
		}
	}
}
