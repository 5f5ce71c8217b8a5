// Package chart draws small charts as inline SVG on the server — horizontal
// bars and a heat map — so pages need no script and no chart library. The
// SVG is built only from numbers formatted here and labels escaped here,
// which is what makes returning template.HTML safe: no caller text reaches
// the markup unescaped. Labels come from the caller, already in the page's
// language.
package chart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"unicode"
)

// Color is a fill and the ink that stays readable on it.
type Color struct {
	Fill string
	Ink  string
}

// The palette: distinct enough side by side, each with text readable on it
// (contrast at least 4.5:1).
var (
	Green = Color{"#2f855a", "#ffffff"}
	Blue  = Color{"#2b6cb0", "#ffffff"}
	Amber = Color{"#d69e2e", "#1f2933"}
	Red   = Color{"#c53030", "#ffffff"}
	Grey  = Color{"#cbd2d9", "#1f2933"}
	Brand = Color{"#0b5cad", "#ffffff"}
)

// Key is one entry of a legend.
type Key struct {
	Label string
	Color Color
}

// Layout, in SVG user units (pixels at 100%).
const (
	width      = 720
	fontSize   = 13
	rowHeight  = 22
	rowGap     = 10
	valueWidth = 96
	swatch     = 12
)

// esc escapes text for an SVG element or a double-quoted attribute.
func esc(s string) string {
	return template.HTMLEscapeString(strings.ToValidUTF8(s, "\uFFFD"))
}

// num formats a coordinate or size.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// textWidth estimates the width of s in pixels at size px: wide (CJK)
// characters take a full em, others a little over half.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if isWide(r) {
			w += size
		} else {
			w += size * 0.6
		}
	}
	return w
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || (r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x3000 && r <= 0x303F)
}

// fit shortens s with an ellipsis to about max pixels at size px.
func fit(s string, max, size float64) string {
	if textWidth(s, size) <= max {
		return s
	}
	budget := max - textWidth("…", size)
	w := 0.0
	for i, r := range s {
		cw := size * 0.6
		if isWide(r) {
			cw = size
		}
		if w+cw > budget {
			return strings.TrimSpace(s[:i]) + "…"
		}
		w += cw
	}
	return s
}

// labelLines is how many lines a bar's label may take before it is
// shortened: long English theme names wrap rather than lose their ends.
const labelLines = 2

// lineHeight is the distance between a wrapped label's lines.
const lineHeight = 15

// wrapLabel breaks s into at most lines lines of about max pixels at size
// px, at spaces or beside wide (CJK) characters, and shortens the last
// line with an ellipsis if the text goes on.
func wrapLabel(s string, max, size float64, lines int) []string {
	var out []string
	rest := strings.TrimSpace(s)
	for len(out) < lines-1 && textWidth(rest, size) > max {
		cut := breakAt(rest, max, size)
		out = append(out, strings.TrimSpace(rest[:cut]))
		rest = strings.TrimSpace(rest[cut:])
	}
	return append(out, fit(rest, max, size))
}

// breakAt is the byte index at which a line of s of at most max pixels
// ends: after the last space or beside the last wide character that
// fits, or where the width runs out when a word is longer than a line.
func breakAt(s string, max, size float64) int {
	w, last := 0.0, 0
	prevWide := false
	for i, r := range s {
		wide := isWide(r)
		if i > 0 && (wide || prevWide) {
			last = i
		}
		cw := size * 0.6
		if wide {
			cw = size
		}
		if w+cw > max {
			if last > 0 {
				return last
			}
			return i
		}
		w += cw
		if r == ' ' {
			last = i + 1
		}
		prevWide = wide
	}
	return len(s)
}

// legend draws keys in a row starting at y, wrapping at width, and returns
// the height used.
func legend(b *strings.Builder, keys []Key, y, width float64) float64 {
	if len(keys) == 0 {
		return 0
	}
	x, h := 0.0, float64(rowHeight)
	b.WriteString(`<g class="legend">`)
	for _, k := range keys {
		w := swatch + 6 + textWidth(k.Label, fontSize) + 18
		if x > 0 && x+w > width {
			x, y, h = 0, y+rowHeight, h+rowHeight
		}
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%d" height="%d" fill="%s" stroke="#52606d" stroke-width="0.5"></rect>`,
			num(x), num(y+4), swatch, swatch, esc(k.Color.Fill))
		fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%d" fill="#1f2933">%s</text>`, num(x+swatch+6), num(y+15), fontSize, esc(k.Label))
		x += w
	}
	b.WriteString(`</g>`)
	return h
}

// Segment is one stacked part of a bar.
type Segment struct {
	Value float64
	Color Color
	Label string // names the part in the bar's tooltip, e.g. "non-compliant"
}

// Bar is one row of a bar chart.
type Bar struct {
	Label    string    // shown at the left, on two lines if need be, shortened to fit; whole in the tooltip
	Segments []Segment // stacked left to right; none draws an empty track
	Text     string    // shown after the bar, e.g. "82.5"; the total when empty
}

// Bars is a horizontal bar chart.
type Bars struct {
	Title      string  // what the chart shows, for assistive technology
	Max        float64 // the value of a full bar; 0 means the largest total
	LabelWidth int     // of the label column; 200 when 0
	Bars       []Bar
	Legend     []Key
}

func (b Bar) total() float64 {
	t := 0.0
	for _, s := range b.Segments {
		if s.Value > 0 {
			t += s.Value
		}
	}
	return t
}

// SVG draws the chart.
func (c Bars) SVG() template.HTML {
	labelW := float64(c.LabelWidth)
	if labelW <= 0 {
		labelW = 200
	}
	barX := labelW + 8
	barMax := width - barX - valueWidth
	max := c.Max
	if max <= 0 {
		for _, b := range c.Bars {
			max = maxf(max, b.total())
		}
	}
	labels := make([][]string, len(c.Bars))
	rowH := float64(rowHeight + rowGap)
	for i, bar := range c.Bars {
		labels[i] = wrapLabel(bar.Label, labelW, fontSize, labelLines)
		rowH = maxf(rowH, float64(rowHeight+rowGap+(len(labels[i])-1)*lineHeight))
	}
	chartH := float64(len(c.Bars)) * rowH
	var body strings.Builder
	for i, bar := range c.Bars {
		y := float64(i) * rowH
		text := bar.Text
		if text == "" {
			text = num(bar.total())
		}
		tip := bar.Label + ": " + text
		var parts []string
		for _, s := range bar.Segments {
			if s.Label != "" {
				parts = append(parts, s.Label+" "+num(s.Value))
			}
		}
		if len(parts) > 1 {
			tip += " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&body, `<g class="bar-row"><title>%s</title>`, esc(tip))
		for l, line := range labels[i] {
			fmt.Fprintf(&body, `<text x="0" y="%s" font-size="%d" fill="#1f2933">%s</text>`, num(y+16+float64(l*lineHeight)), fontSize, esc(line))
		}
		fmt.Fprintf(&body, `<rect x="%s" y="%s" width="%s" height="%d" fill="#edf2f7"></rect>`, num(barX), num(y), num(barMax), rowHeight)
		x := barX
		for _, s := range bar.Segments {
			if s.Value <= 0 || max <= 0 {
				continue
			}
			w := s.Value / max * barMax
			if x+w > barX+barMax {
				w = barX + barMax - x
			}
			fmt.Fprintf(&body, `<rect x="%s" y="%s" width="%s" height="%d" fill="%s"></rect>`, num(round1(x)), num(y), num(round1(w)), rowHeight, esc(s.Color.Fill))
			x += w
		}
		fmt.Fprintf(&body, `<text x="%s" y="%s" font-size="%d" fill="#1f2933" class="value">%s</text></g>`, num(barX+barMax+8), num(y+16), fontSize, esc(text))
	}
	legendH := legend(&body, c.Legend, chartH, width)
	return wrap("chart-bars", c.Title, "img", width, chartH+legendH+4, body.String())
}

// wrap makes the svg element: as wide as drawn, and with its viewBox free
// to shrink (CSS max-width) on a narrow screen, keeping its proportions.
func wrap(class, title, role string, w, h float64, body string) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart %s" xmlns="http://www.w3.org/2000/svg" role="%s" aria-label="%s" viewBox="0 0 %s %s" width="%s" preserveAspectRatio="xMinYMin meet">`,
		class, role, esc(title), num(w), num(h), num(w))
	fmt.Fprintf(&b, `<title>%s</title>%s</svg>`, esc(title), body)
	return template.HTML(b.String())
}

func maxf(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

func round1(f float64) float64 {
	return float64(int(f*10+0.5)) / 10
}

// Band colours the values from Min up (to the next band's Min).
type Band struct {
	Min float64
	Key
}

// HeatRow is one row of a heat map. Values follow the map's Columns; nil is
// a cell without a value.
type HeatRow struct {
	Label  string
	Href   string // optional link of the row label: a path on this site
	Values []*float64
	// Keys optionally colour and name cells instead of their band (a
	// score that fails whatever its value); nil entries keep the band.
	Keys []*Key
}

// HeatMap is a grid of values coloured by band, each value also written in
// its cell and named in the cell's tooltip.
type HeatMap struct {
	Title   string
	Columns []string
	Rows    []HeatRow
	Bands   []Band // highest Min first; a value takes the first band it reaches
	Empty   Key    // the colour and legend label of a cell without a value
	Extra   []Key  // further legend entries: the Keys rows use
	Decimal int    // digits after the point; 1 when 0
}

// Layout of the heat map.
const (
	heatLabelW = 200
	heatCellW  = 66
	heatCellH  = 26
	heatGap    = 2
)

func (h HeatMap) band(v *float64) Key {
	if v == nil {
		return h.Empty
	}
	for _, b := range h.Bands {
		if *v >= b.Min {
			return b.Key
		}
	}
	if len(h.Bands) > 0 {
		return h.Bands[len(h.Bands)-1].Key
	}
	return h.Empty
}

// SVG draws the heat map as an ARIA table: column headings slanted above the
// cells, row labels at the left, the legend below.
func (h HeatMap) SVG() template.HTML {
	dec := h.Decimal
	if dec <= 0 {
		dec = 1
	}
	const slant = 0.57  // sin 35°: how much of a heading's length rises
	const headW = 200.0 // longest heading, longer ones shortened
	longest := 0.0
	for _, c := range h.Columns {
		longest = maxf(longest, textWidth(fit(c, headW, fontSize), fontSize))
	}
	headH := longest*slant + 18
	var b strings.Builder
	b.WriteString(`<g role="row">`)
	for i, c := range h.Columns {
		x := heatLabelW + float64(i)*(heatCellW+heatGap) + heatCellW/2
		fmt.Fprintf(&b, `<text role="columnheader" transform="translate(%s %s) rotate(-35)" font-size="%d" fill="#1f2933"><title>%s</title>%s</text>`,
			num(x), num(headH-6), fontSize, esc(c), esc(fit(c, headW, fontSize)))
	}
	b.WriteString(`</g>`)
	for r, row := range h.Rows {
		y := headH + float64(r)*(heatCellH+heatGap)
		b.WriteString(`<g role="row">`)
		label := fmt.Sprintf(`<text x="0" y="%s" font-size="%d" fill="#1f2933"><title>%s</title>%s</text>`,
			num(y+17), fontSize, esc(row.Label), esc(fit(row.Label, heatLabelW-8, fontSize)))
		if strings.HasPrefix(row.Href, "/") && !strings.HasPrefix(row.Href, "//") {
			label = `<a href="` + esc(row.Href) + `">` + label + `</a>`
		}
		// The link goes inside the row header: a row may own only cells and
		// headers, and a header must sit directly in its row.
		b.WriteString(`<g role="rowheader">` + label + `</g>`)
		for i := range h.Columns {
			var v *float64
			if i < len(row.Values) {
				v = row.Values[i]
			}
			k := h.band(v)
			if i < len(row.Keys) && row.Keys[i] != nil {
				k = *row.Keys[i]
			}
			x := heatLabelW + float64(i)*(heatCellW+heatGap)
			text := "—"
			if v != nil {
				text = strconv.FormatFloat(*v, 'f', dec, 64)
			}
			tip := row.Label + " · " + h.Columns[i] + ": " + text
			if k.Label != "" {
				tip += " (" + k.Label + ")"
			}
			fmt.Fprintf(&b, `<g role="cell"><title>%s</title><rect x="%s" y="%s" width="%d" height="%d" fill="%s"></rect>`,
				esc(tip), num(x), num(y), heatCellW, heatCellH, esc(k.Color.Fill))
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%d" text-anchor="middle" fill="%s">%s</text></g>`,
				num(x+heatCellW/2), num(y+17), fontSize, esc(k.Color.Ink), esc(text))
		}
		b.WriteString(`</g>`)
	}
	gridH := headH + float64(len(h.Rows))*(heatCellH+heatGap) + 8
	keys := make([]Key, 0, len(h.Bands)+1)
	for _, band := range h.Bands {
		keys = append(keys, band.Key)
	}
	if h.Empty.Label != "" {
		keys = append(keys, h.Empty)
	}
	keys = append(keys, h.Extra...)
	// The last heading slants past the grid's right edge.
	w := maxf(heatLabelW+float64(len(h.Columns))*(heatCellW+heatGap)+longest*0.82, 360)
	legendH := legend(&b, keys, gridH, w)
	return wrap("chart-heat", h.Title, "table", w, gridH+legendH+4, b.String())
}
