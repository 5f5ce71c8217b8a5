package scoring

import (
	"math"
	"testing"
)

func ptr(f float64) *float64 { return &f }

func TestCompute(t *testing.T) {
	tests := []struct {
		name       string
		themes     []Theme
		wantScore  *float64 // overall
		wantThemes []*float64
		wantGrade  Grade
		wantFail   bool
	}{
		{
			name:       "all compliant",
			themes:     []Theme{{ID: "a", Items: []Item{{Weight: 3, Answer: Compliant}, {Weight: 1, Answer: Compliant}}}},
			wantScore:  ptr(100),
			wantThemes: []*float64{ptr(100)},
			wantGrade:  Excellent,
		},
		{
			name: "weights decide the theme average",
			// (3×1 + 1×0) / 4 = 75
			themes:     []Theme{{ID: "a", Items: []Item{{Weight: 3, Answer: Compliant}, {Weight: 1, Answer: NonCompliant}}}},
			wantScore:  ptr(75),
			wantThemes: []*float64{ptr(75)},
			wantGrade:  Good,
		},
		{
			name:       "partial counts half",
			themes:     []Theme{{ID: "a", Items: []Item{{Weight: 2, Answer: Partial}, {Weight: 2, Answer: Compliant}}}},
			wantScore:  ptr(75),
			wantThemes: []*float64{ptr(75)},
			wantGrade:  Good,
		},
		{
			name: "not applicable is left out, not counted as 0",
			themes: []Theme{{ID: "a", Items: []Item{
				{Weight: 5, Answer: NotApplicable}, {Weight: 1, Answer: Compliant},
			}}},
			wantScore:  ptr(100),
			wantThemes: []*float64{ptr(100)},
			wantGrade:  Excellent,
		},
		{
			name: "a theme all not applicable has no score and does not drag the overall",
			themes: []Theme{
				{ID: "a", Items: []Item{{Weight: 2, Answer: NotApplicable}}},
				{ID: "b", Items: []Item{{Weight: 2, Answer: Partial}}},
			},
			wantScore:  ptr(50),
			wantThemes: []*float64{nil, ptr(50)},
			wantGrade:  Fail,
		},
		{
			name: "overall weights each theme by its applicable weight",
			// a: 100 over weight 1; b: 0 over weight 3 -> (100×1 + 0×3)/4 = 25
			themes: []Theme{
				{ID: "a", Items: []Item{{Weight: 1, Answer: Compliant}, {Weight: 4, Answer: NotApplicable}}},
				{ID: "b", Items: []Item{{Weight: 3, Answer: NonCompliant}}},
			},
			wantScore:  ptr(25),
			wantThemes: []*float64{ptr(100), ptr(0)},
			wantGrade:  Fail,
		},
		{
			name: "critical non-compliant fails whatever the percentage",
			themes: []Theme{{ID: "a", Items: []Item{
				{Weight: 1, Critical: true, Answer: NonCompliant},
				{Weight: 5, Answer: Compliant}, {Weight: 5, Answer: Compliant}, {Weight: 5, Answer: Compliant},
			}}},
			wantScore:  ptr(1500.0 / 16),
			wantThemes: []*float64{ptr(1500.0 / 16)},
			wantGrade:  Fail,
			wantFail:   true,
		},
		{
			name: "critical partially compliant does not veto",
			themes: []Theme{{ID: "a", Items: []Item{
				{Weight: 1, Critical: true, Answer: Partial}, {Weight: 9, Answer: Compliant},
			}}},
			wantScore:  ptr(95),
			wantThemes: []*float64{ptr(95)},
			wantGrade:  Excellent,
		},
		{
			name:       "everything not applicable: no score, no grade, no NaN",
			themes:     []Theme{{ID: "a", Items: []Item{{Weight: 2, Answer: NotApplicable}}}},
			wantThemes: []*float64{nil},
			wantGrade:  NoGrade,
		},
		{
			name:       "unanswered items are not scored yet",
			themes:     []Theme{{ID: "a", Items: []Item{{Weight: 2}, {Weight: 2, Answer: Compliant}}}},
			wantScore:  ptr(100),
			wantThemes: []*float64{ptr(100)},
			wantGrade:  Excellent,
		},
		{
			name:       "no themes",
			wantGrade:  NoGrade,
			wantThemes: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(tt.themes)
			if !sameScore(r.Score, tt.wantScore) {
				t.Errorf("overall = %v, want %v", show(r.Score), show(tt.wantScore))
			}
			if r.Grade != tt.wantGrade || r.CriticalFail != tt.wantFail {
				t.Errorf("grade = %q critical=%v, want %q critical=%v", r.Grade, r.CriticalFail, tt.wantGrade, tt.wantFail)
			}
			if len(r.Themes) != len(tt.wantThemes) {
				t.Fatalf("themes = %d, want %d", len(r.Themes), len(tt.wantThemes))
			}
			for i, w := range tt.wantThemes {
				if !sameScore(r.Themes[i].Score, w) {
					t.Errorf("theme %d = %v, want %v", i, show(r.Themes[i].Score), show(w))
				}
			}
		})
	}
}

func TestGradeBands(t *testing.T) {
	for _, tt := range []struct {
		score float64
		want  Grade
	}{{100, Excellent}, {90, Excellent}, {89.99, Good}, {75, Good}, {74.9, Pass}, {60, Pass}, {59.9, Fail}, {0, Fail}} {
		if got := GradeFor(tt.score); got != tt.want {
			t.Errorf("GradeFor(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}

func TestCountsAndGaps(t *testing.T) {
	r := Compute([]Theme{{ID: "a", Items: []Item{{Weight: 1, Answer: Partial}, {Weight: 1, Answer: NonCompliant}, {Weight: 1}, {Weight: 1, Answer: NotApplicable}}}})
	if r.Answered != 3 || r.Total != 4 || r.Complete() || r.Themes[0].Gaps != 2 {
		t.Errorf("answered %d/%d complete=%v gaps=%d; want 3/4 false 2", r.Answered, r.Total, r.Complete(), r.Themes[0].Gaps)
	}
}

func sameScore(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return !math.IsNaN(*a) && math.Abs(*a-*b) < 1e-9
}

func show(f *float64) any {
	if f == nil {
		return "none"
	}
	return *f
}
