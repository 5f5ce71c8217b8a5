package report

import "testing"

func TestRowStartLines(t *testing.T) {
	lines := func(n int) []string { return make([]string, n) }
	for _, tt := range []struct {
		name  string
		cells []int
		fresh int
		want  int
	}{
		{"fits a page: whole row", []int{2, 5, 1, 30}, 50, 30},
		{"too tall: all but the longest cell", []int{2, 5, 1, 80}, 50, 5},
		{"two tall cells: capped at a page", []int{2, 70, 1, 80}, 50, 50},
		{"empty row: one line", []int{}, 50, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := row{cells: make([][]string, len(tt.cells))}
			for i, n := range tt.cells {
				r.cells[i] = lines(n)
			}
			if got := r.startLines(tt.fresh); got != tt.want {
				t.Errorf("startLines(%d) = %d, want %d", tt.fresh, got, tt.want)
			}
		})
	}
}
