package report

import (
	"fmt"
	"strings"

	"github.com/signintech/gopdf"

	"selfcheck/app/tabular"
)

// measurer measures text in the document's font. gopdf's widths are sums of
// per-glyph advances scaled by the font size (kerning is off), so each rune
// is measured once per document and the width per point of size is kept.
type measurer struct {
	gp    *gopdf.GoPdf
	size  float64 // current font size of gp, kept in step by doc.font
	perPt map[rune]float64
}

func newMeasurer(gp *gopdf.GoPdf) *measurer {
	return &measurer{gp: gp, perPt: make(map[rune]float64, 1024)}
}

// runeWidth returns the advance of r at the current size.
func (m *measurer) runeWidth(r rune) (float64, error) {
	if w, ok := m.perPt[r]; ok {
		return w * m.size, nil
	}
	w, err := m.gp.MeasureTextWidth(string(r))
	if err != nil {
		return 0, fmt.Errorf("measure %q: %w", r, err)
	}
	m.perPt[r] = w / m.size
	return m.perPt[r] * m.size, nil // the same value the cache gives later
}

// width returns the advance of s at the current size.
func (m *measurer) width(s string) (float64, error) {
	var sum float64
	for _, r := range s {
		w, err := m.runeWidth(r)
		if err != nil {
			return 0, err
		}
		sum += w
	}
	return sum, nil
}

// wrap breaks s into lines no wider than maxW at the current size. It runs
// in one pass over the runes: CJK text breaks between any two characters
// (but not before closing or after opening punctuation), other text at
// spaces, and a word wider than a line is cut where it overflows. Every
// character except the space a line breaks at is kept, and '\n' always
// starts a new line. An empty s gives no lines.
func (m *measurer) wrap(s string, maxW float64) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var out []string
	for para := range strings.SplitSeq(s, "\n") {
		var err error
		if out, err = m.wrapPara(out, clean(para), maxW); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// cut returns s shortened with "…" to fit maxW on one line at the current
// size (s itself when it fits).
func (m *measurer) cut(s string, maxW float64) (string, error) {
	w, err := m.width(s)
	if err != nil || w <= maxW {
		return s, err
	}
	ell, err := m.width("…")
	if err != nil {
		return "", err
	}
	var sum float64
	for i, r := range s {
		rw, err := m.runeWidth(r)
		if err != nil {
			return "", err
		}
		if sum+rw+ell > maxW {
			return s[:i] + "…", nil
		}
		sum += rw
	}
	return s, nil
}

// slack absorbs rounding in sums of widths, so text measured to fit a width
// does fit it.
const slack = 1e-6

// wrapPara appends the lines of one paragraph (no '\n') to out.
func (m *measurer) wrapPara(out []string, para []rune, maxW float64) ([]string, error) {
	if len(para) == 0 {
		return append(out, ""), nil
	}
	var (
		start  int     // first rune of the current line
		w      float64 // width of para[start:i+1]
		brk    = -1    // the line may end before para[brk] ...
		resume int     // ... and the next one start at para[resume]
		brkW   float64 // width of para[start:resume]
	)
	for i, r := range para {
		if i > start && breakBetween(para[i-1], r) {
			brk, resume, brkW = i, i, w
		}
		rw, err := m.runeWidth(r)
		if err != nil {
			return nil, err
		}
		w += rw
		if r == ' ' {
			// A space may hang past the margin; the line breaks at it.
			brk, resume, brkW = i, i+1, w
			continue
		}
		if w <= maxW+slack || i == start {
			continue
		}
		if brk > start {
			out = append(out, string(para[start:brk]))
			start, w = resume, w-brkW
		}
		if start < i && w > maxW+slack {
			// No break opportunity left in the line: cut the word here.
			out = append(out, string(para[start:i]))
			start, w = i, rw
		}
		brk = -1
	}
	return append(out, string(para[start:])), nil
}

// clean turns a paragraph into runes, with tabs as spaces and other control
// characters (which the font cannot show) dropped, bidirectional controls
// too: gopdf lays glyphs out left to right whatever they say, and a
// reader's copy and paste or search would get them back.
func clean(s string) []rune {
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\t':
			rs = append(rs, ' ')
		case r < 0x20 || r == 0x7F || tabular.IsBidiControl(r):
		default:
			rs = append(rs, r)
		}
	}
	return rs
}

// breakBetween reports whether a line may break between a and b without a
// space: next to a CJK character, unless b must not start a line or a must
// not end one. Not after a hyphen: pdftotext joins a line ending in one to
// the next without it, so "pre-ticked" broken there would read
// "preticked" (item ids are broken between their words by idText).
func breakBetween(a, b rune) bool {
	if noLineStart(b) || noLineEnd(a) {
		return false
	}
	return wide(a) || wide(b)
}

// noLineStart reports punctuation that stays with the character before it.
func noLineStart(r rune) bool {
	switch r {
	case '，', '。', '、', '；', '：', '？', '！', '）', '」', '』', '》', '】', '〉', '〕',
		'”', '’', '…', '—', '·', '％', ',', '.', ';', ':', '!', '?', ')', ']', '}', '%':
		return true
	}
	return false
}

// noLineEnd reports punctuation that stays with the character after it.
func noLineEnd(r rune) bool {
	switch r {
	case '（', '「', '『', '《', '【', '〈', '〔', '“', '‘', '(', '[', '{':
		return true
	}
	return false
}

// wide reports whether r is a CJK character (or full-width form), after which
// a line may break without a space.
func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r >= 0x1100 && r <= 0x115F, // Hangul Jamo
		r >= 0x2E80 && r <= 0xA4CF, // CJK radicals … Yi
		r >= 0xAC00 && r <= 0xD7A3, // Hangul syllables
		r >= 0xF900 && r <= 0xFAFF, // CJK compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFF60, // full-width forms
		r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x20000 && r <= 0x3FFFD: // CJK extensions
		return true
	}
	return false
}
