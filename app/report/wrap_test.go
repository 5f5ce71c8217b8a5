package report

import (
	"strings"
	"testing"

	"selfcheck"
	"selfcheck/app/assessment"
	"selfcheck/app/checklist"
)

// testMeasurer returns a measurer on a fresh document at 10 pt.
func testMeasurer(tb testing.TB) *measurer {
	tb.Helper()
	r := testRenderer(tb)
	c, err := r.newDoc(Data{Sheet: &assessment.Sheet{}, T: func(k string, _ ...any) string { return k }}, "report.title")
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.font(10); err != nil {
		tb.Fatal(err)
	}
	return c.m
}

func mustWidth(t *testing.T, m *measurer, s string) float64 {
	t.Helper()
	w, err := m.width(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// checkLines asserts that lines are in, in order, with nothing lost: between
// two lines at most one space or '\n' (the break) is skipped. It also checks
// that no line is wider than maxW unless it holds a single character.
func checkLines(t *testing.T, m *measurer, in string, maxW float64, lines []string) {
	t.Helper()
	src := []rune(strings.NewReplacer("\t", " ", "\r", "").Replace(in))
	pos := 0
	for i, l := range lines {
		lr := []rune(l)
		if i > 0 && pos < len(src) && (src[pos] == '\n' || src[pos] == ' ' && !hasAt(src, pos, lr)) {
			pos++
		}
		if !hasAt(src, pos, lr) {
			t.Fatalf("line %d %q does not continue the input at rune %d (%q…)", i, l, pos, string(src[pos:min(len(src), pos+20)]))
		}
		pos += len(lr)
		if w := mustWidth(t, m, strings.TrimRight(l, " ")); w > maxW+1e-9 && len(lr) > 1 {
			t.Errorf("line %d %q is %.2f wide, more than %.2f", i, l, w, maxW)
		}
	}
	if pos != len(src) {
		t.Fatalf("lines end at rune %d of %d: %q lost", pos, len(src), string(src[pos:min(len(src), pos+40)]))
	}
}

func hasAt(src []rune, pos int, l []rune) bool {
	return pos+len(l) <= len(src) && string(src[pos:pos+len(l)]) == string(l)
}

func TestWrap(t *testing.T) {
	m := testMeasurer(t)
	for _, tt := range []struct {
		name  string
		in    string
		width string // the line width is this text's width
		want  []string
	}{
		{name: "cjk breaks anywhere", in: "一二三四五六七八九十", width: "一二三四五", want: []string{"一二三四五", "六七八九十"}},
		{name: "no comma at line start", in: "一二三四，五六", width: "一二三四", want: []string{"一二三", "四，五六"}},
		{name: "no opening bracket at line end", in: "一二三（四）", width: "一二三（", want: []string{"一二三", "（四）"}},
		{name: "latin at spaces", in: "the quick brown fox", width: "brown fox", want: []string{"the quick", "brown fox"}},
		{name: "long word cut", in: "abcdefghij", width: "abcde", want: []string{"abcde", "fghij"}},
		{name: "mixed", in: "隐私政策privacy policy第3条", width: "隐私政策privacy", want: []string{"隐私政策privacy", "policy第3条"}},
		{name: "newlines kept", in: "a\n\nb", width: "abc", want: []string{"a", "", "b"}},
		{name: "tab and CR", in: "a\tb\r\nc", width: "abc", want: []string{"a b", "c"}},
		{name: "empty", in: "", width: "abc", want: nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := mustWidth(t, m, tt.width)
			got, err := m.wrap(tt.in, w)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("wrap(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkLines(t, m, tt.in, w, got)
		})
	}
}

// TestWrapLongNote wraps notes at the size limit at the table's widths and
// checks every character survives.
func TestWrapLongNote(t *testing.T) {
	m := testMeasurer(t)
	for _, n := range []int{2000, 20000} {
		note := noteText("长说明：", n, n)
		for _, w := range []float64{40, 180, 400} {
			lines, err := m.wrap(note, w)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, m, note, w, lines)
		}
	}
	distinct := map[rune]bool{}
	for _, r := range noteText("长说明：", 2000, 2000) {
		distinct[r] = true
	}
	if len(m.perPt) > len(distinct)+len("长说明：") {
		t.Errorf("%d widths cached for %d distinct characters", len(m.perPt), len(distinct))
	}
}

func BenchmarkWrap20k(b *testing.B) {
	m := testMeasurer(b)
	note := noteText("长说明：", 20000, 20000)
	for b.Loop() {
		if _, err := m.wrap(note, 180); err != nil {
			b.Fatal(err)
		}
	}
}

// Every item id of the built-in catalog fits the PDF's id column whole
// or broken only after a hyphen, between two of its words: never inside
// a word.
func TestItemIDsBreakOnlyBetweenWords(t *testing.T) {
	cat, _, err := checklist.Load(selfcheck.Checklists, "checklists")
	if err != nil {
		t.Fatal(err)
	}
	r := testRenderer(t)
	c, err := r.newDoc(Data{Sheet: &assessment.Sheet{Checklists: cat.Checklists}, T: func(k string, _ ...any) string { return k }}, "report.title")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.font(tableSize); err != nil {
		t.Fatal(err)
	}
	colIDW, err := c.idColumnWidth()
	if err != nil {
		t.Fatal(err)
	}
	m := c.m
	n := 0
	for _, cl := range cat.Checklists {
		for _, it := range cl.Items() {
			n++
			id, err := c.idText(it.ID, colIDW-2*cellPad)
			if err != nil {
				t.Fatal(err)
			}
			lines, err := m.wrap(id, colIDW-2*cellPad)
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range lines {
				if i < len(lines)-1 && !strings.HasSuffix(l, "-") {
					t.Errorf("id %s breaks inside a word: %q", it.ID, lines)
					break
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d items checked", n)
	}
}
