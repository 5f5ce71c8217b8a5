package gopdf

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPdfTextString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Selfcheck", "(Selfcheck)"},
		{`a (b) \c`, `(a \(b\) \\c)`},
		{"合规", "<FEFF540889C4>"},
		{"é", "<FEFF00E9>"},
		{"a\nb", "<FEFF0061000A0062>"},
		{"𠀀", "<FEFFD840DC00>"}, // outside the BMP: a surrogate pair
		{"", "()"},
	} {
		if got := pdfTextString(tc.in); got != tc.want {
			t.Errorf("pdfTextString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestPdfDate(t *testing.T) {
	utc := time.Date(2021, 12, 1, 10, 15, 0, 0, time.UTC)
	if got := pdfDate(utc); got != "D:20211201101500Z" {
		t.Errorf("UTC: %s", got)
	}
	if got := pdfDate(utc.In(time.FixedZone("CST", 8*3600))); got != "D:20211201181500+08'00'" {
		t.Errorf("UTC+8: %s", got)
	}
}

func TestSubsetTag(t *testing.T) {
	subset := func(glyphs ...uint) *SubsetFontObj {
		s := &SubsetFontObj{Family: "wqy", CharacterToGlyphIndex: NewMapOfCharacterToGlyphIndex()}
		for i, g := range glyphs {
			s.CharacterToGlyphIndex.Set(rune('a'+i), g)
		}
		return s
	}
	a, b, c := subset(3, 1, 2), subset(1, 2, 3), subset(1, 2, 4)
	if !regexp.MustCompile(`^[A-Z]{6}$`).MatchString(a.tag()) {
		t.Fatalf("tag %q is not six upper-case letters", a.tag())
	}
	if a.tag() != b.tag() {
		t.Errorf("the same glyphs gave tags %s and %s", a.tag(), b.tag())
	}
	if a.tag() == c.tag() {
		t.Errorf("different glyphs gave the same tag %s", a.tag())
	}
	a.subsetTag = a.tag()
	if got := a.subsetName(); got != a.subsetTag+"+wqy" {
		t.Errorf("subsetName = %s", got)
	}
}

// TestXMP checks the packet is well-formed XML whatever the text holds,
// and repeats the Info fields.
func TestXMP(t *testing.T) {
	info := &PdfInfo{Title: `<R&D> "报告"` + "\x01", Author: "甲公司", Subject: "s", Keywords: "k1, k2",
		Creator: "c", Producer: "p", CreationDate: time.Date(2021, 12, 1, 10, 15, 0, 0, time.UTC)}
	x := string(xmp(info, "zh-CN", []byte("0123456789abcdef")))
	body := x[strings.Index(x, "<x:xmpmeta"):strings.LastIndex(x, "<?xpacket")]
	d := xml.NewDecoder(strings.NewReader(body))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("XMP is not well-formed: %v\n%s", err, x)
			}
			break
		}
	}
	for _, want := range []string{"&lt;R&amp;D&gt; &quot;报告&quot;</rdf:li>", "<rdf:li>甲公司</rdf:li>", "<pdf:Keywords>k1, k2</pdf:Keywords>",
		"<xmp:CreateDate>2021-12-01T10:15:00Z</xmp:CreateDate>", "<rdf:li>zh-CN</rdf:li>", "uuid:30313233-3435-3637-3839-616263646566"} {
		if !strings.Contains(x, want) {
			t.Errorf("XMP lacks %q:\n%s", want, x)
		}
	}
}
