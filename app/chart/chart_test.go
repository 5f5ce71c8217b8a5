package chart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func ptr(f float64) *float64 { return &f }

// wellFormed parses the SVG as XML: every element closed, every attribute
// quoted, nothing unescaped.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, svg)
		}
	}
}

func TestLabelsAreEscaped(t *testing.T) {
	hostile := `<script>alert("x")</script>&'`
	for _, tt := range []struct {
		name string
		svg  string
	}{
		{"bars", string(Bars{Title: hostile, Bars: []Bar{{Label: hostile, Text: hostile, Segments: []Segment{{Value: 1, Color: Color{Fill: `red"><script>`}, Label: hostile}}}},
			Legend: []Key{{Label: hostile, Color: Red}}}.SVG())},
		{"heat", string(HeatMap{Title: hostile, Columns: []string{hostile}, Rows: []HeatRow{{Label: hostile, Href: `/x"><script>`, Values: []*float64{ptr(50)}}},
			Bands: []Band{{Min: 0, Key: Key{Label: hostile, Color: Red}}}, Empty: Key{Label: hostile, Color: Grey}}.SVG())},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.svg, "<script") || strings.Contains(tt.svg, `"><`+"script") {
				t.Errorf("unescaped label:\n%s", tt.svg)
			}
			if !strings.Contains(tt.svg, "&lt;script&gt;") {
				t.Errorf("the label is missing:\n%s", tt.svg)
			}
			wellFormed(t, tt.svg)
		})
	}
}

func TestBars(t *testing.T) {
	svg := string(Bars{Title: "主题平均分", Max: 100, Bars: []Bar{
		{Label: "弹窗骚扰", Text: "82.5", Segments: []Segment{{Value: 82.5, Color: Blue}}},
		{Label: "Empty theme", Text: "—"},
		{Label: "超长的标签文字超长的标签文字超长的标签文字超长的标签文字超长的标签文字", Segments: []Segment{{Value: 150, Color: Red}}},
	}, Legend: []Key{{Label: "良好", Color: Blue}}}.SVG())
	wellFormed(t, svg)
	for _, want := range []string{
		`role="img"`, `aria-label="主题平均分"`, "<title>主题平均分</title>",
		// 82.5 of 100 on a 416-unit track starting at x=208.
		`<rect x="208" y="0" width="343.2" height="22" fill="#2b6cb0">`,
		">82.5</text>", "<title>弹窗骚扰: 82.5</title>", ">—</text>",
		">超长的标签文字超长的标签文字超<", ">长的标签文字超长的标签文字超…<", // wrapped onto two lines, then shortened, whole in the tooltip
		"<title>超长的标签文字超长的标签文字超长的标签文字超长的标签文字超长的标签文字: 150</title>",
		`width="416" height="22" fill="#c53030"`, // clipped to the track
		">良好</text>",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %q\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "style=") {
		t.Error("script or inline style in a chart: the CSP forbids both")
	}
}

// A stacked bar: segments side by side, the total when no text is given,
// scaled to the largest bar when Max is 0.
func TestStackedBars(t *testing.T) {
	svg := string(Bars{Title: "t", Bars: []Bar{
		{Label: "a-3", Segments: []Segment{{Value: 6, Color: Red, Label: "不符合"}, {Value: 2, Color: Amber, Label: "部分符合"}}},
		{Label: "a-1", Segments: []Segment{{Value: 4, Color: Red, Label: "不符合"}}},
	}}.SVG())
	wellFormed(t, svg)
	for _, want := range []string{
		`<rect x="208" y="0" width="312" height="22" fill="#c53030">`,
		`<rect x="520" y="0" width="104" height="22" fill="#d69e2e">`,
		"<title>a-3: 8 (不符合 6, 部分符合 2)</title>",
		`width="208" height="22" fill="#c53030"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %q\n%s", want, svg)
		}
	}
}

func TestHeatMap(t *testing.T) {
	h := HeatMap{
		Title:   "热力图",
		Columns: []string{"主题甲", "Theme B", "总分"},
		Rows: []HeatRow{
			{Label: "一号公司", Href: "/assessments/7/review", Values: []*float64{ptr(95), nil, ptr(59.94)}},
			{Label: "二号公司", Href: "//evil.example/", Values: []*float64{ptr(75)}},
			{Label: "三号公司", Values: []*float64{ptr(80), ptr(80), ptr(91)}, Keys: []*Key{nil, nil, {"一票否决", Red}}},
		},
		Bands: []Band{{90, Key{"优秀", Green}}, {75, Key{"良好", Blue}}, {60, Key{"合格", Amber}}, {0, Key{"不合格", Red}}},
		Empty: Key{"无得分", Grey},
		Extra: []Key{{"一票否决", Red}},
	}
	svg := string(h.SVG())
	wellFormed(t, svg)
	for _, want := range []string{
		`role="table"`, `aria-label="热力图"`, `role="columnheader"`, `role="rowheader"`, `role="cell"`,
		"<title>一号公司 · 主题甲: 95.0 (优秀)</title>", `fill="#2f855a"`, ">95.0</text>",
		"<title>一号公司 · Theme B: — (无得分)</title>",
		"<title>一号公司 · 总分: 59.9 (不合格)</title>", ">59.9</text>",
		"<title>二号公司 · 主题甲: 75.0 (良好)</title>",
		"<title>二号公司 · 总分: — (无得分)</title>", // a short row is padded
		`<a href="/assessments/7/review">`,
		">优秀</text>", ">无得分</text>",
		// A key of the row wins over the band; the band still colours the rest.
		"<title>三号公司 · 总分: 91.0 (一票否决)</title><rect", "<title>三号公司 · 主题甲: 80.0 (良好)</title>", ">一票否决</text>",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %q\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "evil.example") {
		t.Error("a link off the site was kept")
	}
	if got := strings.Count(svg, `role="cell"`); got != 9 {
		t.Errorf("%d cells, want 9", got)
	}
}

func TestFit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  float64
		want string
	}{
		{"short", 100, "short"},
		{"中文标签", 52, "中文标签"},
		{"中文标签很长", 52, "中文标…"},
		{"a long English label", 60, "a long…"},
	} {
		if got := fit(tt.in, tt.max, 13); got != tt.want {
			t.Errorf("fit(%q, %v) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// Long labels wrap onto a second line (at a space, or beside a CJK
// character) before they lose their end, and the rows make room for it.
func TestBarLabelsWrap(t *testing.T) {
	for _, tt := range []struct {
		label string
		want  []string
	}{
		{"Short", []string{"Short"}},
		{"Personal information protection and user rights", []string{"Personal information", "protection and user rights"}},
		{"个人信息保护与用户权益保障专项检查", []string{"个人信息保护与用户权益保障专项检", "查"}},
		{"Personal information protection and user rights and data security and more", []string{"Personal information", "protection and user right…"}},
		{"Supercalifragilisticexpialidocious", []string{"Supercalifragilisticexpial", "idocious"}},
	} {
		got := wrapLabel(tt.label, 210, 13, 2)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrapLabel(%q) = %q, want %q", tt.label, got, tt.want)
		}
		for _, line := range got {
			if w := textWidth(line, 13); w > 210 {
				t.Errorf("line %q of %q is %.0f px wide, over 210", line, tt.label, w)
			}
		}
	}
	svg := string(Bars{Title: "t", LabelWidth: 210, Bars: []Bar{
		{Label: "Personal information protection and user rights", Segments: []Segment{{Value: 1, Color: Red}}},
		{Label: "Pop-ups", Segments: []Segment{{Value: 2, Color: Red}}},
	}}.SVG())
	wellFormed(t, svg)
	for _, want := range []string{`y="16" font-size="13" fill="#1f2933">Personal information<`, `y="31" font-size="13" fill="#1f2933">protection and user rights<`,
		`y="63" font-size="13" fill="#1f2933">Pop-ups<`} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %q\n%s", want, svg)
		}
	}
}
